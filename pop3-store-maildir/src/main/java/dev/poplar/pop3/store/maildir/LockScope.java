package dev.poplar.pop3.store.maildir;

/**
 * How far the exclusive hold on an open mailbox reaches: who else gets {@code -ERR [IN-USE]} while a session has it
 * open. See {@link MaildirStore.Builder#lockScope(LockScope)}.
 */
public enum LockScope {

    /**
     * Across threads, processes and hosts: the lock file {@code poplar.lock} in the Maildir (a hard link to the store's
     * owner file in the root's {@code .poplar-locks}, where the file system allows), with heartbeats and the take-over
     * of stale locks. Right for Maildirs on a shared file system (NFS, CephFS) that several nodes serve, and wherever
     * another process may serve the same Maildirs. The default.
     */
    HOSTS,

    /**
     * Across threads and processes on this host: a POSIX record lock ({@code fcntl}) on the file
     * {@code poplar.fcntl}, which stays in the Maildir between sessions. The kernel ends the lock with its process, so
     * there are no stale locks to judge, no heartbeat and no take-over; a session opens and closes its mailbox with
     * about seven system calls and no change to the Maildir directory, where {@link #HOSTS} makes about four, two of
     * them changes to the directory (linking and removing the lock file). On a 2-core machine with 16 clients that is
     * roughly a tenth less server time for a short session (login, {@code STAT}, {@code QUIT}).
     *
     * <p>Right for one or more server processes on one host whose Maildirs are on a local disk. Costs one open file
     * descriptor per open mailbox. Over NFS the lock reaches other hosts only where the mount carries POSIX locks
     * (NFSv4, or NFSv3 with a lock daemon; a mount with {@code nolock} keeps them local, and a file system without
     * record locks makes every open fail with {@code [SYS/TEMP]}); use {@link #HOSTS} for Maildirs that several hosts
     * serve. Lock files of {@link #HOSTS} are neither written nor heeded: every store that serves the same Maildirs
     * must use the same scope.
     *
     * <p>POSIX ends all of a process's record locks on a file when the process closes any descriptor of that file.
     * A store never has two descriptors of one lock file, but two stores in one JVM serving the same Maildirs do: they
     * keep each other out, yet a mailbox one of them closes (or the store itself, when it closes) may end a hold the
     * other has on it. Give such stores {@link #HOSTS}.
     */
    PROCESSES,

    /**
     * Within this store only: the hold is kept in memory, and no lock file is written, read or heeded. For one server
     * process serving Maildirs on a local disk that no other Poplar process or host serves: each session then saves
     * the lock file's system calls (about four, two of them changes to the Maildir directory), which is most of what
     * opening an unchanged mailbox costs. Every store that serves the same Maildirs must then be this one.
     */
    STORE
}

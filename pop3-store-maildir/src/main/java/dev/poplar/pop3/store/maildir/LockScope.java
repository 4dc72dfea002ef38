package dev.poplar.pop3.store.maildir;

/**
 * How far the exclusive hold on an open mailbox reaches: who else gets {@code -ERR [IN-USE]} while a session has it
 * open. See {@link MaildirStore.Builder#lockScope(LockScope)}.
 */
public enum LockScope {

    /**
     * Across threads, processes and hosts: the lock file {@code poplar.lock} in the Maildir, with heartbeats and the
     * take-over of stale locks. Right for Maildirs on a shared file system (NFS, CephFS) that several nodes serve, and
     * wherever another process may serve the same Maildirs. The default.
     */
    HOSTS,

    /**
     * Within this store only: the hold is kept in memory, and no lock file is written, read or heeded. For one server
     * process serving Maildirs on a local disk that no other Poplar process or host serves: each session then saves
     * the lock file's system calls (about eleven, three of them changes to the Maildir directory), which is most
     * of what opening an unchanged mailbox costs. Every store that serves the same Maildirs must then be this one.
     */
    STORE
}

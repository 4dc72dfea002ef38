package dev.poplar.pop3.server.internal.session;

/** What one session counted, for its summary and its limits. Session thread only, except as noted. */
final class SessionStats {
    int badCommands;
    int authFailures;
    int retrieved;
    long retrievedOctets;
    /** Written by the UPDATE call, read after it completes. */
    volatile int deleted;
    /** Written by the UPDATE call, read after it completes. */
    volatile int notRemoved;
}

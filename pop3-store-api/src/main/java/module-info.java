/**
 * Poplar's service provider interfaces: where mailboxes live ({@link dev.poplar.pop3.store.MailboxStore}) and who may
 * log in ({@link dev.poplar.pop3.auth.Authenticator}), with the in-memory store. No dependencies.
 */
module dev.poplar.pop3.store {
    exports dev.poplar.pop3.auth;
    exports dev.poplar.pop3.store;
    exports dev.poplar.pop3.store.memory;
}

package dev.poplar.pop3.server.internal.session;

import dev.poplar.pop3.auth.ClientInfo;
import dev.poplar.pop3.server.ContentHook;
import dev.poplar.pop3.server.Retention;
import dev.poplar.pop3.server.internal.ServerConfig;
import dev.poplar.pop3.server.internal.command.MaildropView;
import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageInfo;

import java.util.List;

/**
 * What a session lists after login: the maildrop's messages less those its retention policy removes now, with the
 * sizes the content hook declares. Runs with the login, where the store is called.
 */
final class Listing {

    private Listing() {
    }

    /**
     * Makes the session's view of a maildrop just opened.
     *
     * @param config the server's configuration
     * @param maildrop the maildrop, held
     * @param mailbox its name
     * @param user who logged in
     * @param client the connection
     * @return the view
     */
    static MaildropView of(ServerConfig config, Maildrop maildrop, String mailbox, String user, ClientInfo client) {
        ServerConfig.Policies policies = config.policies();
        Retention retention = Expiry.policyOf(config, mailbox).orElse(null);
        List<MessageInfo> listed = retention == null ? maildrop.messages()
                : Expiry.atOpen(maildrop, mailbox, retention, policies.clock().instant());
        long[] sizes = null;
        if (policies.contentHook().isPresent()) {
            ContentHook hook = policies.contentHook().get();
            ContentHook.Recipient recipient = new ContentHook.Recipient(user, mailbox, client);
            sizes = new long[listed.size()];
            for (int i = 0; i < sizes.length; i++) {
                MessageInfo message = listed.get(i);
                sizes[i] = message.size() + hook.sizeChange(recipient, message);
                if (sizes[i] < 0) {
                    throw new IllegalStateException("the content hook made the size of message " + message.uid()
                            + " negative");
                }
            }
        }
        return new MaildropView(maildrop, mailbox, listed, sizes, retention);
    }
}

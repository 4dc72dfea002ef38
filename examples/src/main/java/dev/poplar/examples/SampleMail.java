package dev.poplar.examples;

import dev.poplar.pop3.store.memory.InMemoryMailboxStore;

/** The sample messages of the demo mailbox. */
final class SampleMail {

    private SampleMail() {
    }

    /**
     * Adds the sample messages to a mailbox.
     *
     * @param store the store
     * @param mailbox the mailbox
     * @return how many messages were added
     */
    static int seed(InMemoryMailboxStore store, String mailbox) {
        String[] messages = {
            """
            From: Poplar <poplar@example.org>
            To: demo@example.org
            Subject: Welcome to Poplar
            Date: Fri, 27 Nov 2026 09:00:00 +0000
            Message-ID: <welcome@poplar.example.org>

            This mailbox lives in memory. Retrieve it with any POP3 client.
            Messages you delete are removed when your client sends QUIT.
            """,
            """
            From: Build Robot <ci@example.org>
            To: demo@example.org
            Subject: Build #42 passed
            Date: Fri, 27 Nov 2026 09:05:00 +0000
            Message-ID: <build-42@ci.example.org>

            All 213 tests passed.
            .
            A line with only a dot, and the next one starts with one:
            .hidden files were ignored.
            """,
            """
            From: =?UTF-8?Q?Ren=C3=A9e?= <renee@example.org>
            To: demo@example.org
            Subject: =?UTF-8?Q?Caf=C3=A9_at_noon=3F?=
            Date: Fri, 27 Nov 2026 09:10:00 +0000
            Message-ID: <cafe@example.org>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: 8bit

            Café at noon? Bring the crème brûlée recipe.
            """
        };
        for (String message : messages) {
            store.add(mailbox, message);
        }
        return messages.length;
    }
}

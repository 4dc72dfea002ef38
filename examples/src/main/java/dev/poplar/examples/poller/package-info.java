/**
 * An example application that polls a mailbox with Jakarta Mail: {@link dev.poplar.examples.poller.MailPoller}. Its
 * tests show how an application tests itself against Poplar's test kit.
 */
package dev.poplar.examples.poller;

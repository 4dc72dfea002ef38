/**
 * AssertJ assertions for the Poplar test kit: {@link dev.poplar.pop3.testkit.assertj.Pop3Assertions} is the entry
 * point for mailboxes and recorded sessions, and for all of AssertJ.
 */
package dev.poplar.pop3.testkit.assertj;

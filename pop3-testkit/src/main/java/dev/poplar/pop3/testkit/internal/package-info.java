/** Implementation of the test kit: the tracking store, the journal of sessions, MIME writing. Not an API. */
package dev.poplar.pop3.testkit.internal;

package dev.poplar.pop3.server;

import dev.poplar.pop3.store.Maildrop;
import dev.poplar.pop3.store.MessageContent;
import dev.poplar.pop3.store.MessageInfo;
import dev.poplar.pop3.store.StoreException;
import dev.poplar.pop3.store.UpdateResult;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A maildrop that passes every call to another: tests override the calls they change. */
class ForwardingMaildrop implements Maildrop {

    final Maildrop inner;

    ForwardingMaildrop(Maildrop inner) {
        this.inner = inner;
    }

    @Override
    public List<MessageInfo> messages() {
        return inner.messages();
    }

    @Override
    public MessageContent content(MessageInfo message) throws StoreException {
        return inner.content(message);
    }

    @Override
    public UpdateResult update(Set<MessageInfo> deleted, Set<MessageInfo> retrieved) throws StoreException {
        return inner.update(deleted, retrieved);
    }

    @Override
    public UpdateResult expire(Set<MessageInfo> expired) throws StoreException {
        return inner.expire(expired);
    }

    @Override
    public Optional<Instant> arrived(MessageInfo message) {
        return inner.arrived(message);
    }

    @Override
    public Optional<Instant> firstRetrieved(MessageInfo message) {
        return inner.firstRetrieved(message);
    }

    @Override
    public boolean closeMayBlock() {
        return inner.closeMayBlock();
    }

    @Override
    public void close() {
        inner.close();
    }
}

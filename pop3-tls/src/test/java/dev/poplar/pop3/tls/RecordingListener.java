package dev.poplar.pop3.tls;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Queues every event of a {@link ServerTls} for a test to take with a timeout. */
final class RecordingListener implements TlsObserver {

    final BlockingQueue<KeyMaterial> loaded = new LinkedBlockingQueue<>();
    final BlockingQueue<CertificateExpiryWarning> expiring = new LinkedBlockingQueue<>();
    final BlockingQueue<TlsException> failed = new LinkedBlockingQueue<>();

    @Override
    public void certificateLoaded(KeyMaterial material) {
        loaded.add(material);
    }

    @Override
    public void certificateExpiring(CertificateExpiryWarning warning) {
        expiring.add(warning);
    }

    @Override
    public void reloadFailed(TlsException problem) {
        failed.add(problem);
    }

    static <T> T take(BlockingQueue<T> queue, String what) throws InterruptedException {
        T item = queue.poll(10, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("no " + what + " within 10 s");
        }
        return item;
    }
}

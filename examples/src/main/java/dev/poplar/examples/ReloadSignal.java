package dev.poplar.examples;

import java.lang.reflect.Proxy;
import java.util.Optional;

/**
 * SIGHUP as the operator's reload signal ({@code systemctl reload poplar}, {@code kill -HUP PID},
 * {@code poplar reload}). The JDK has no public signal API; {@code sun.misc.Signal} (module {@code jdk.unsupported})
 * is the usual way for a standalone server, and this class is the only place that uses it.
 *
 * <p>Fallback: where the signal cannot be handled (a runtime without {@code jdk.unsupported}, a JVM started with
 * {@code -Xrs}, a platform without SIGHUP, or a process that inherited SIGHUP as ignored, as under {@code nohup}: a
 * JVM cannot take an ignored SIGHUP back), {@link #install} says why and the server logs it at start. Users
 * files, app passwords and certificate files are still picked up by themselves when they change (the users file
 * within {@code auth.reload_check_interval}, certificates within {@code tls.reload_interval}); other changes to the
 * configuration file then need a restart.
 */
final class ReloadSignal {

    private ReloadSignal() {
    }

    /**
     * Runs an action on each SIGHUP, on a thread of the JVM's signal dispatcher, instead of the JVM's default for
     * SIGHUP (shutting down).
     *
     * @param action what to do; should not take long, and must not throw
     * @return empty if the signal is handled; otherwise why it cannot be (see the class description)
     */
    static Optional<String> install(Runnable action) {
        // Looked up by name rather than compiled against: javac warns about every use of sun.misc, and that warning
        // cannot be suppressed; by name, a runtime without jdk.unsupported is simply the fallback.
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object onHangUp = Proxy.newProxyInstance(ReloadSignal.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, arguments) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == arguments[0];
                        default -> "poplar reload on SIGHUP";
                    });
            Object previous = signal.getMethod("handle", signal, handler)
                    .invoke(null, signal.getConstructor(String.class).newInstance("HUP"), onHangUp);
            if (previous == handler.getField("SIG_IGN").get(null)) {
                // The JVM leaves a signal ignored since the process started alone, and says so only this way.
                return Optional.of("SIGHUP was ignored when this process started (nohup, or a parent that ignores "
                        + "it), and a JVM cannot take it back: start the server without nohup (systemd does)");
            }
            return Optional.empty();
        } catch (ReflectiveOperationException | LinkageError | IllegalArgumentException e) {
            return Optional.of("this JVM does not let SIGHUP be handled (" + e + ")");
        }
    }
}

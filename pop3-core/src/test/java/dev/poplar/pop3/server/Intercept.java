package dev.poplar.pop3.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/** Wraps an SPI object for a test: every call is first shown to a check, which may throw, then made as usual. */
final class Intercept {

    private Intercept() {
    }

    /** Sees a call before it is made. */
    @FunctionalInterface
    interface Before {
        /**
         * @param method the method's name
         * @param args its arguments, {@code null} for none
         * @throws Exception to fail the call instead
         */
        void call(String method, Object[] args) throws Exception;
    }

    static <T> T before(Class<T> type, T delegate, Before before) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    before.call(method.getName(), args);
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }
}

package dev.poplar.pop3.store.jdbc;

import java.io.File;

/**
 * The class path for a child JVM: the test JVM's class path and module path together (Surefire puts this module on
 * the module path).
 */
final class TestClassPath {

    private TestClassPath() {
    }

    static String full() {
        String modules = System.getProperty("jdk.module.path", "");
        String classes = System.getProperty("java.class.path", "");
        return modules.isEmpty() ? classes : classes.isEmpty() ? modules : modules + File.pathSeparator + classes;
    }
}

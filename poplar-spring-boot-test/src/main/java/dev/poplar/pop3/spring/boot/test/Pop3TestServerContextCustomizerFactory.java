package dev.poplar.pop3.spring.boot.test;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

import java.util.List;

/** Finds {@link EnablePop3TestServer} on a test class (or its enclosing or super classes). Registered in spring.factories. */
class Pop3TestServerContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
                                                     List<ContextConfigurationAttributes> configurations) {
        EnablePop3TestServer annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                EnablePop3TestServer.class);
        return annotation == null ? null : new Pop3TestServerContextCustomizer(List.of(annotation.users()),
                annotation.tls(), annotation.propertyPrefix());
    }
}

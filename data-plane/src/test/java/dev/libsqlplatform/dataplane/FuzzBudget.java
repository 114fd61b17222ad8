package dev.libsqlplatform.dataplane;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The fuzz budget of the jqwik properties: each {@code @Property(tries = N)} declares the small, fixed budget of
 * the normal build; {@code -Dfuzz.factor=F} (the Maven profile {@code -Pfuzz} sets it) runs F times as many tries.
 */
public final class FuzzBudget implements AroundPropertyHook {
    /** The multiplier of every property's declared tries (1 in the normal build). */
    public static int factor() {
        try {
            return Math.max(1, Integer.parseInt(System.getProperty("fuzz.factor", "1").trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        int f = factor();
        if (f > 1) {
            context.attributes().tries().filter(t -> t > 1).ifPresent(t -> context.attributes().setTries(t * f)); // not @Example
        }
        return property.execute();
    }

    /** Added on a test class, the hook applies to every property of it. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public int aroundPropertyProximity() {
        return -100; // outermost: the attributes must be changed before jqwik reads them
    }
}

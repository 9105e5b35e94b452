package io.jmirai.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute keys, kept apart from {@link JMiraiTracing} (whose {@code observer} method names host classes) so
 * that the daemon's side loads nothing of the host's. Immutable.
 */
final class Keys {
    static final AttributeKey<Long> TASK_ID = AttributeKey.longKey("jmirai.task.id");
    static final AttributeKey<String> DAEMON_ID = AttributeKey.stringKey("jmirai.daemon.id");
    static final AttributeKey<Long> OUTCOME_CODE = AttributeKey.longKey("jmirai.outcome.code");

    private Keys() {}
}

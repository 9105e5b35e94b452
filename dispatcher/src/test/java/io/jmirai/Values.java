package io.jmirai;

import java.util.Objects;

/** User classes that travel to daemons and back in tests. */
final class Values {
    private Values() {}

    /** A record. */
    record Point(int x, int y) {
        Point scaled(int k) {
            return new Point(x * k, y * k);
        }
    }

    /** A class without a no-arg constructor, with a final field and a nested object. */
    static final class Account {
        private final String owner;
        private final long cents;
        private final Point location;

        Account(String owner, long cents, Point location) {
            this.owner = owner;
            this.cents = cents;
            this.location = location;
        }

        Account deposit(long more) {
            return new Account(owner, cents + more, location);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Account a && a.owner.equals(owner) && a.cents == cents && a.location.equals(location);
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, cents, location);
        }
    }

    /** A checked exception with a cause, thrown in daemons. */
    static final class AuditException extends Exception {
        private static final long serialVersionUID = 1L;

        AuditException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

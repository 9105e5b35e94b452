package io.jmirai.dispatcher;

/**
 * An intrusive doubly linked list of daemon connections: add at either end, remove any member and take the first,
 * each in O(1), without a scan and without allocating (the links live in the {@link DaemonConnection}). A connection
 * is in at most one list at a time; adding it to a list first removes it from the one it is in.
 *
 * <p>Threading: confined to the dispatcher's event loop.
 */
final class DaemonList {
    private DaemonConnection head;
    private DaemonConnection tail;
    private int size;

    /** @return the first connection, or null */
    DaemonConnection first() {
        return head;
    }

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    /** Adds {@code conn} at the front (leaving any list it was in). */
    void addFirst(DaemonConnection conn) {
        unlink(conn);
        conn.listNext = head;
        if (head != null) {
            head.listPrev = conn;
        } else {
            tail = conn;
        }
        head = conn;
        conn.list = this;
        size++;
    }

    /** Adds {@code conn} at the back (leaving any list it was in). */
    void addLast(DaemonConnection conn) {
        unlink(conn);
        conn.listPrev = tail;
        if (tail != null) {
            tail.listNext = conn;
        } else {
            head = conn;
        }
        tail = conn;
        conn.list = this;
        size++;
    }

    /** Removes {@code conn} from whatever list it is in; nothing if it is in none. */
    static void unlink(DaemonConnection conn) {
        DaemonList l = conn.list;
        if (l == null) {
            return;
        }
        if (conn.listPrev != null) {
            conn.listPrev.listNext = conn.listNext;
        } else {
            l.head = conn.listNext;
        }
        if (conn.listNext != null) {
            conn.listNext.listPrev = conn.listPrev;
        } else {
            l.tail = conn.listPrev;
        }
        conn.listPrev = null;
        conn.listNext = null;
        conn.list = null;
        l.size--;
    }
}

package io.jmirai.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The intrusive list of daemon connections: plain calls, no channel. */
class DaemonListTest {
    private static List<DaemonConnection> contents(DaemonList l) {
        List<DaemonConnection> out = new ArrayList<>();
        for (DaemonConnection c = l.first(); c != null; c = c.listNext) {
            out.add(c);
        }
        return out;
    }

    @Test
    void shouldAddAtBothEndsRemoveAnyMemberAndMoveBetweenLists() {
        DaemonList a = new DaemonList();
        DaemonList b = new DaemonList();
        DaemonConnection c1 = new DaemonConnection(null);
        DaemonConnection c2 = new DaemonConnection(null);
        DaemonConnection c3 = new DaemonConnection(null);
        a.addLast(c1);
        a.addLast(c2);
        a.addFirst(c3);
        assertThat(contents(a)).containsExactly(c3, c1, c2);
        assertThat(a.size()).isEqualTo(3);

        DaemonList.unlink(c1); // from the middle
        assertThat(contents(a)).containsExactly(c3, c2);
        assertThat(c1.list).isNull();
        DaemonList.unlink(c1); // not in a list: nothing
        assertThat(a.size()).isEqualTo(2);

        b.addLast(c2); // moves: leaves a
        assertThat(contents(a)).containsExactly(c3);
        assertThat(contents(b)).containsExactly(c2);
        a.addLast(c3); // re-adding to its own list moves it to the back, never twice
        assertThat(contents(a)).containsExactly(c3);
        DaemonList.unlink(c3);
        assertThat(a.isEmpty()).isTrue();
        assertThat(a.first()).isNull();
        assertThat(a.size()).isZero();
    }
}

package io.graygate.proxy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferArenasTest {

    private String direct;
    private String heap;

    @BeforeEach
    void keepProperties() {
        direct = System.getProperty(BufferArenas.DIRECT);
        heap = System.getProperty(BufferArenas.HEAP);
        System.clearProperty(BufferArenas.DIRECT);
        System.clearProperty(BufferArenas.HEAP);
    }

    @AfterEach
    void restoreProperties() {
        restore(BufferArenas.DIRECT, direct);
        restore(BufferArenas.HEAP, heap);
    }

    private static void restore(String name, String value) {
        if (value == null) System.clearProperty(name);
        else System.setProperty(name, value);
    }

    @Test
    void asksNettyForOneArenaOfEachKindPerEventLoop() {
        BufferArenas.matchLoops(3);

        assertThat(System.getProperty(BufferArenas.DIRECT)).isEqualTo("3");
        assertThat(System.getProperty(BufferArenas.HEAP)).isEqualTo("3");
    }

    @Test
    void keepsWhatTheCommandLineChose() {
        System.setProperty(BufferArenas.DIRECT, "7");

        BufferArenas.matchLoops(3);

        assertThat(System.getProperty(BufferArenas.DIRECT)).isEqualTo("7");
        assertThat(System.getProperty(BufferArenas.HEAP)).isEqualTo("3");
    }

    @Test
    void refusesNoLoops() {
        assertThatThrownBy(() -> BufferArenas.matchLoops(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}

package io.jmirai.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code bench.R} reads from {@code /proc}, read the same way: memory of a process from {@code /proc/PID/status}
 * (kB), its CPU time from {@code /proc/PID/stat} (user + system, in clock ticks of 1/100 s), machine-wide busy CPU
 * from {@code /proc/stat}, and the wait for a quiet machine. Linux only. Stateless; thread-safe.
 */
final class ProcStats {
    /** USER_HZ, as bench.R assumes ({@code getconf CLK_TCK}). */
    static final double CLK_TCK = 100;

    private ProcStats() {}

    /** @return {VmRSS, VmHWM} of {@code pid} ("self" for this JVM) in kB; NaN where unknown */
    static double[] memKb(String pid) {
        double[] out = {Double.NaN, Double.NaN};
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    out[0] = digits(line);
                } else if (line.startsWith("VmHWM:")) {
                    out[1] = digits(line);
                }
            }
        } catch (IOException e) {
            // the process is gone: NaN, as bench.R's NA
        }
        return out;
    }

    private static double digits(String line) {
        return Double.parseDouble(line.replaceAll("[^0-9]", ""));
    }

    /**
     * Resets this process's peak-RSS watermark (Linux 4.0 and later), as bench.R's {@code reset_peak}.
     *
     * @return whether it could
     */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** @return CPU seconds (user + system) used so far by the processes {@code pids} ("self" allowed) */
    static double cpuSeconds(List<String> pids) {
        double sum = 0;
        for (String pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.UTF_8);
                String[] rest = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
                sum += (Double.parseDouble(rest[11]) + Double.parseDouble(rest[12])) / CLK_TCK;
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }
        return sum;
    }

    /** @return machine-wide busy CPU seconds so far, all cores, from the first line of {@code /proc/stat} */
    static double machineBusySeconds() {
        long[] x = cpuLine();
        long total = 0;
        for (int i = 0; i < 8; i++) {
            total += x[i];
        }
        return (total - x[3] - x[4]) / CLK_TCK;
    }

    private static long[] cpuLine() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.UTF_8)
                    .get(0);
            String[] f = first.trim().split(" +");
            long[] x = new long[f.length - 1];
            for (int i = 1; i < f.length; i++) {
                x[i - 1] = Long.parseLong(f[i]);
            }
            return x;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
    }

    /** @return the machine-wide busy fraction of CPU over {@code windowSeconds}, as bench.R's {@code cpu_busy} */
    static double cpuBusy(double windowSeconds) throws InterruptedException {
        long[] a = cpuLine();
        Thread.sleep((long) (windowSeconds * 1000));
        long[] b = cpuLine();
        long total = 0;
        for (int i = 0; i < 8; i++) {
            total += b[i] - a[i];
        }
        long idle = (b[3] - a[3]) + (b[4] - a[4]);
        return total <= 0 ? Double.NaN : 1 - (double) idle / total;
    }

    /**
     * Waits (at most {@code maxWaitSeconds}, then goes on) until the machine is at most {@code quietBusy} busy, as
     * bench.R's {@code wait_quiet}.
     *
     * @return {busy fraction last seen, seconds waited}
     */
    static double[] waitQuiet(double quietBusy, double maxWaitSeconds, double windowSeconds)
            throws InterruptedException {
        long t0 = System.nanoTime();
        double b = Double.NaN;
        for (int i = 0; i < 1000; i++) {
            b = cpuBusy(windowSeconds);
            if (Double.isNaN(b) || b <= quietBusy || (System.nanoTime() - t0) / 1e9 > maxWaitSeconds) {
                break;
            }
        }
        return new double[] {b, (System.nanoTime() - t0) / 1e9};
    }

    /** @return the 1-minute load average now */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** @return the pids of this JVM's child processes whose command line contains {@code text} (a daemon URL) */
    static List<String> childPids(String text) {
        List<String> pids = new ArrayList<>();
        ProcessHandle.current().children().forEach(p -> {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                String cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
                if (cmd.contains(text)) {
                    pids.add(Long.toString(p.pid()));
                }
            } catch (IOException e) {
                // exited meanwhile
            }
        });
        return pids;
    }
}

package io.gatehouse.bench;

import java.util.Map;

/**
 * What a tasks run did: progress calls answered per second in the measured phase and their answer
 * times, {@code task_progress} frames the owners received per second in the same phase, and the
 * final check: whether each task's last frame carried the last {@code done} answered, and how long
 * after the worker's last answer every owner had it.
 *
 * @param framesPerCall frames per second ÷ calls per second: below 1 when the server coalesces
 * @param settleMs from the worker's last answer to the moment every task's last frame was current
 */
public record TaskUpdates(
        int owners,
        int tasks,
        int workerConnections,
        double seconds,
        long calls,
        long measuredCalls,
        double callsPerSecond,
        Percentiles callAnswer,
        int callsFailed,
        Map<String, Integer> callFailures,
        long frames,
        long measuredFrames,
        double framesPerSecond,
        double framesPerCall,
        long otherFrames,
        int tasksChecked,
        int tasksCurrent,
        int tasksWrongOwner,
        int tasksBackwards,
        double settleMs) {

    String describe() {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%,d owners, %,d tasks, %d worker connections; measured %.1f s",
                owners, tasks, workerConnections, seconds));
        out.append(nl)
                .append(String.format(
                        "  progress calls: %,.0f answered/s (%,d measured, %,d in all, %,d failed)",
                        callsPerSecond, measuredCalls, calls, callsFailed));
        out.append(nl).append("  call answered: ").append(callAnswer.describe());
        callFailures.forEach((reason, n) -> out.append(nl).append(String.format("  call failed x%,d: %s", n, reason)));
        out.append(nl)
                .append(String.format(
                        "  task_progress frames: %,.0f received/s (%,d measured, %,d in all; %.2f per call)",
                        framesPerSecond, measuredFrames, frames, framesPerCall));
        if (otherFrames > 0) {
            out.append(nl).append(String.format("  frames of other tasks (creation, earlier runs): %,d", otherFrames));
        }
        out.append(nl)
                .append(String.format(
                        "  last state: %,d of %,d tasks current %.0f ms after the last answer;"
                                + " wrong owner %,d, went backwards %,d",
                        tasksCurrent, tasksChecked, settleMs, tasksWrongOwner, tasksBackwards));
        return out.toString();
    }
}

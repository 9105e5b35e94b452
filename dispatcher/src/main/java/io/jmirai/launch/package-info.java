/**
 * Launching daemons: {@link io.jmirai.launch.LaunchConfig} says where (this machine, SSH, a batch scheduler, any
 * command such as {@code srun}, Kubernetes, or by hand), {@link io.jmirai.launch.LaunchCommand} is what was run or
 * what to run, {@link io.jmirai.launch.DaemonJar} finds the daemon's executable jar on this machine, and a failed
 * launch is a {@link io.jmirai.launch.LaunchException} with the command, its exit code and its output.
 */
package io.jmirai.launch;

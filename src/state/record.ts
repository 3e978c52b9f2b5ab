// What both front ends record of a container (Docker's ContainerRecord and runc's OciRecord add
// their own fields): enough to find its process, trust its pid, and rebuild its cgroup.
export interface CoreRecord {
  id: string;
  /** The container's directory (config.json; for Docker, the overlay layers and log too). */
  bundle: string;
  /** When it was created (ISO 8601). */
  created: string;
  /** Host pid of the container's PID 1 and its start time (both needed to trust "alive"). */
  pid?: number;
  startTime?: number;
  /** Host directories of the container's cgroup, one per hierarchy. */
  cgroupDirs?: string[];
  /** The systemd scope holding the cgroup (the systemd manager), stopped on removal. */
  cgroupUnit?: string;
}

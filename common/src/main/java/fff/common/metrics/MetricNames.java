package fff.common.metrics;

/**
 * Every metric name and tag key the node exports, in one place, so dashboards and alerts in {@code ops/} can
 * rely on them. Values are Micrometer names (dots); the Prometheus registry renders them with underscores
 * and unit suffixes, written beside each constant as the name a scrape shows. Base units only: bytes and
 * seconds; counters end in {@code _total} in Prometheus.
 */
public final class MetricNames {

    /** Tag: scheduling group name. */
    public static final String TAG_GROUP = "group";
    /** Tag: job state, as {@code fff.common.jobs.JobState} names it (QUEUED, RUNNING, ...). */
    public static final String TAG_STATE = "state";
    /** Tag: peer node or destination name. */
    public static final String TAG_PEER = "peer";
    /** Tag: {@code out} for a destination this node sends to, {@code in} for a node that sends to it. */
    public static final String TAG_DIRECTION = "direction";

    /** Gauge {@code fff_jobs{group,state}}: jobs the node holds, by group and state (history included). */
    public static final String JOBS = "fff.jobs";
    /** Gauge {@code fff_group_tokens_in_use{group}}: tokens the group's running work holds. */
    public static final String GROUP_TOKENS_IN_USE = "fff.group.tokens.in.use";
    /** Gauge {@code fff_group_tokens_limit{group}}: the group's current token limit. */
    public static final String GROUP_TOKENS_LIMIT = "fff.group.tokens.limit";
    /** Gauge {@code fff_group_queued{group}}: jobs waiting in the group itself (not its children). */
    public static final String GROUP_QUEUED = "fff.group.queued";
    /** Gauge {@code fff_queue_length}: queued jobs over all groups, blocked ones included. */
    public static final String QUEUE_LENGTH = "fff.queue.length";
    /** Gauge {@code fff_jobs_running}: jobs running now. */
    public static final String JOBS_RUNNING = "fff.jobs.running";

    /** Tag: why an attempt failed, the job's coded reason (BUSY, OFFLINE, HASH_MISMATCH, TRANSCODE_FAILED, ...). */
    public static final String TAG_REASON = "reason";

    /**
     * Counter {@code fff_peer_sent_bytes_total{peer}}: payload bytes that crossed the link for delivered jobs, by
     * destination (counted when a job is done).
     */
    public static final String PEER_SENT_BYTES = "fff.peer.sent.bytes";
    /**
     * Counter {@code fff_peer_received_bytes_total{peer}}: payload bytes received from a sending node, counted as
     * they arrive (partial and failed files included).
     */
    public static final String PEER_RECEIVED_BYTES = "fff.peer.received.bytes";
    /** Gauge {@code fff_peer_rtt_seconds{peer,direction}}: smoothed round-trip time (Ping/Pong); NaN until measured. */
    public static final String PEER_RTT = "fff.peer.rtt";
    /** Gauge {@code fff_peer_online{peer,direction}}: 1 while a connection to or from the peer is up, else 0. */
    public static final String PEER_ONLINE = "fff.peer.online";
    /** Gauge {@code fff_peer_connections{peer,direction}}: connections open now. */
    public static final String PEER_CONNECTIONS = "fff.peer.connections";
    /**
     * Gauge {@code fff_peer_congestion_connections{peer,direction,algorithm}}: connections open now that use that
     * TCP congestion control, as read back from each socket.
     */
    public static final String PEER_CONGESTION = "fff.peer.congestion.connections";
    /** Tag: a TCP congestion control algorithm, e.g. {@code bbr}. */
    public static final String TAG_ALGORITHM = "algorithm";
    /** Gauge {@code fff_peer_rate_bytes_per_second{peer,direction}}: payload throughput over the last few seconds. */
    public static final String PEER_RATE = "fff.peer.rate.bytes.per.second";
    /** Counter {@code fff_transfer_resumes_total{peer,direction}}: files continued from an offset > 0. */
    public static final String TRANSFER_RESUMES = "fff.transfer.resumes";
    /**
     * Counter {@code fff_credit_stalls_total{peer,direction}}: times a stream or connection had data to send and
     * no credit left (out: this node waited; in: the sender waited for this node's disk).
     */
    public static final String CREDIT_STALLS = "fff.credit.stalls";
    /** Gauge {@code fff_journal_size_bytes}: apparent size of the node's journal files. */
    public static final String JOURNAL_SIZE = "fff.journal.size";
    /**
     * Timer {@code fff_job_duration_seconds{group,state}}: run time of the last attempt of jobs that ended DONE,
     * FAILED or CANCELLED (after starting), with histogram buckets.
     */
    public static final String JOB_DURATION = "fff.job.duration";
    /** Counter {@code fff_job_failures_total{group,reason}}: failed attempts, retried or given up. */
    public static final String JOB_FAILURES = "fff.job.failures";
    /** Gauge {@code fff_transcode_fps}: frames per second over all running transcodes (sending ffmpegs). */
    public static final String TRANSCODE_FPS = "fff.transcode.fps";

    /** Tag: name of an FTP source ({@code sources:}). */
    public static final String TAG_SOURCE = "source";
    /** Counter {@code fff_source_pulled_bytes_total{source}}: bytes pulled from an FTP source (resumes count once). */
    public static final String SOURCE_PULLED_BYTES = "fff.source.pulled.bytes";
    /** Counter {@code fff_source_pulled_files_total{source}}: files pulled from an FTP source, checked and queued. */
    public static final String SOURCE_PULLED_FILES = "fff.source.pulled.files";

    /** Tag: destination name ({@code destinations:}). */
    public static final String TAG_DESTINATION = "destination";
    /**
     * Gauge {@code fff_destination_rate_limit_bits_per_second{destination}}: the destination's rate limit now (its
     * schedule's rate at this moment); 0 = unlimited.
     */
    public static final String DESTINATION_RATE_LIMIT = "fff.destination.rate.limit.bits.per.second";
    /** Gauge {@code fff_node_rate_limit_bits_per_second}: the node-wide rate limit now; 0 = unlimited. */
    public static final String NODE_RATE_LIMIT = "fff.node.rate.limit.bits.per.second";

    private MetricNames() {
    }
}

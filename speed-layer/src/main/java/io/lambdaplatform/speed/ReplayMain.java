package io.lambdaplatform.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigValueFactory;
import io.lambdaplatform.model.ViewDefinition;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.viewstore.CassandraSpeedViews;
import io.lambdaplatform.viewstore.CassandraViewSets;
import io.lambdaplatform.viewstore.SpeedProgress;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewComparison;
import io.lambdaplatform.viewstore.ViewSchema;
import io.lambdaplatform.viewstore.ViewSet;
import io.lambdaplatform.viewstore.ViewSets;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code replay}: the Kappa way to apply new logic. Runs the speed layer's topology (this release, these rules) over the
 * events topic from its first offset into a new set of views beside the current one, while readers keep using the
 * current one; once it has caught up with the live topic, compares both window by window, prints the comparison, and
 * switches readers with one compare-and-set of the view-set pointer. A replay that dies is resumed by the next one (its
 * Kafka Streams application commits under exactly-once). {@code --rollback} switches readers back to the previous set.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Kappa mode: replays the events topic through this release's logic into a new set of views, compares it"
                + " with the current one and switches readers to it.")
public final class ReplayMain implements Callable<Integer> {

    /** The comparison found windows the change was not meant to touch ({@code --allow-changes}): nothing was switched. */
    public static final int REFUSED = 3;
    private static final Duration POLL = Duration.ofSeconds(1);
    /** The replay's {@code group.instance.id} (Kafka Streams adds the thread's number). */
    private static final String REPLAY_MEMBER = "lambda-replay";
    private static final Duration REPORT_EVERY = Duration.ofSeconds(10);

    @Mixin
    private ConfigSourceOptions source;

    @Option(names = "--rollback", description = "Switch readers back to the set they used before the last switch.")
    private boolean rollback;

    @Option(names = "--no-switch", description = "Replay and compare, but leave readers where they are; the next replay resumes"
            + " this set and switches.")
    private boolean noSwitch;

    @Option(names = "--allow-changes", paramLabel = "REGEX", description = "Switch only if every window that differs from the"
            + " current set belongs to a product matching REGEX (the products the change was meant to touch); else exit 3.")
    private Pattern allowChanges;

    @Option(names = "--from-log-start", description = "Begin a replay even though retention or deleteRecords removed the first records"
            + " of the events topic: the new set lacks them, and its answers over the time they were ingested say complete: false.")
    private boolean fromLogStart;

    @Option(names = "--catch-up-timeout", paramLabel = "DURATION", defaultValue = "PT1H",
            description = "Give up (exit 1, the set stays for the next replay to resume) when the replay has not caught up by then"
                    + " (ISO-8601, default ${DEFAULT-VALUE}).")
    private Duration catchUpTimeout;

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "speed-logback.xml");
        }
        Entrypoint.run(new ReplayMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        // A replay is Kappa mode's own command: whether the platform runs in Kappa mode is what the view-set pointer says.
        SpeedConfig config = SpeedConfig.from(source.load().withValue(PlatformMode.KEY, ConfigValueFactory.fromAnyRef(PlatformMode.KAPPA.label())),
                source.stackDir());
        Clock clock = Clock.systemUTC();
        String base = config.cassandra().keyspace();
        try (CqlSession session = config.cassandra().connect(); Admin admin = Admin.create(config.kafka().clientProperties())) {
            ViewSchema.create(session, base, config.replicationFactor());
            ViewSets sets = new CassandraViewSets(session, base);
            Optional<ViewSet> found = sets.current();
            if (found.isEmpty()) {
                System.err.println("lambda replay: the platform has no set of views to replace: it runs in Lambda mode, where a logic change"
                        + " is a full batch recompute (./lambda batch --full), or its speed layer never ran in Kappa mode"
                        + " (./lambda local --mode kappa, or " + PlatformMode.KEY + " = kappa for ./lambda speed)");
                return Entrypoint.USAGE;
            }
            ViewSet current = found.get();
            if (rollback) {
                return rollBack(sets, current, clock);
            }
            dropExpired(sets, current, config.previousViewsKeptFor(), clock.instant());
            String logic = ViewDefinition.logicVersion(config.rules());
            boolean resuming = sets.pending().filter(pending -> pending.logicVersion().equals(logic)).isPresent();
            if (!resuming && !fromLogStart && lostItsFirstRecords(admin, config.kafka().eventsTopic())) {
                return Entrypoint.USAGE;
            }
            ViewSet target = target(sets, config, clock.instant());
            ViewSchema.createViewSet(session, target.keyspace(), config.replicationFactor());
            createDeadLetterTopic(admin, config.kafka().deadLetterTopic(), ViewSet.deadLetterTopicOf(config.kafka().deadLetterTopic(), target.id()));
            // A static member, so that it can leave the group when it closes: the speed layer takes the set over at once.
            SpeedConfig replay = config.forViewSet(target)
                    .withStreamsOverride(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), REPLAY_MEMBER);
            System.out.println("Replaying " + config.kafka().eventsTopic() + " from its first offset into view set " + target.id()
                    + " (keyspace " + target.keyspace() + ", logic " + target.logicVersion() + "); readers keep using view set "
                    + current.id() + " (logic " + current.logicVersion() + ")");
            SpeedApp app = SpeedApp.start(replay);
            try {
                if (!awaitCaughtUp(admin, app, replay, clock)) {
                    return Entrypoint.FAILED;
                }
                ViewComparison comparison = compare(session, current, target);
                System.out.println("Compared with view set " + current.id() + ": " + comparison.summary());
                comparison.examples().forEach(example -> System.out.println("  " + example));
                if (allowChanges != null && !comparison.differsOnlyIn(product -> allowChanges.matcher(product).matches())) {
                    System.err.println("Not switched: windows of products outside --allow-changes " + allowChanges + " differ: "
                            + comparison.products().stream().filter(product -> !allowChanges.matcher(product).matches()).sorted().limit(10)
                                    .collect(Collectors.joining(", "))
                            + ". View set " + target.id() + " stays; the next ./lambda replay resumes and compares it again.");
                    return REFUSED;
                }
                if (noSwitch) {
                    System.out.println("Not switched (--no-switch): readers still use view set " + current.id()
                            + "; the next ./lambda replay resumes view set " + target.id() + " and switches to it.");
                    return Entrypoint.OK;
                }
                ViewSet switched = sets.switchTo(target, current.id(), clock.instant());
                System.out.println("Readers switched to view set " + switched.id() + " (logic " + switched.logicVersion() + "); view set "
                        + current.id() + " stays for ./lambda replay --rollback for " + config.previousViewsKeptFor());
            }
            finally {
                app.close(true);
            }
            return Entrypoint.OK;
        }
    }

    private static int rollBack(ViewSets sets, ViewSet current, Clock clock) {
        Optional<ViewSet> previous = sets.previous();
        if (previous.isEmpty()) {
            System.err.println("lambda replay --rollback: readers use view set " + current.id() + " and no earlier set is kept");
            return Entrypoint.FAILED;
        }
        ViewSet back = sets.switchTo(previous.get(), current.id(), clock.instant());
        System.out.println("Readers switched back to view set " + back.id() + " (logic " + back.logicVersion() + "); the speed layer resumes"
                + " building it where it stopped");
        return Entrypoint.OK;
    }

    /** The set a replay begun earlier left unfinished, if it was begun with the same logic; else a new one. */
    private static ViewSet target(ViewSets sets, SpeedConfig config, Instant now) {
        String logic = ViewDefinition.logicVersion(config.rules());
        Optional<ViewSet> pending = sets.pending();
        if (pending.isPresent() && pending.get().logicVersion().equals(logic)) {
            System.out.println("Resuming the replay into view set " + pending.get().id() + " begun at " + pending.get().createdAt());
            return pending.get();
        }
        if (pending.isPresent()) {
            System.out.println("Dropping view set " + pending.get().id() + ": a replay of another logic (" + pending.get().logicVersion()
                    + ") left it unfinished");
            sets.drop(pending.get());
        }
        return sets.begin(logic, config.rules(), now);
    }

    /**
     * Drops the sets readers left longer than {@code keptFor} ago — a set is left when the next set readers were switched
     * to became current — unless it is set 0 (the platform's keyspace), the current or the previous set, or never switched
     * to (a replay to resume).
     */
    private static void dropExpired(ViewSets sets, ViewSet current, Duration keptFor, Instant now) {
        long previous = sets.previous().map(ViewSet::id).orElse(-1L);
        List<ViewSet> switched = sets.all().stream().filter(set -> set.switchedAt().isPresent())
                .sorted(Comparator.comparing(set -> set.switchedAt().get())).toList();
        for (int i = 0; i + 1 < switched.size(); i++) {
            ViewSet set = switched.get(i);
            Instant left = switched.get(i + 1).switchedAt().get();
            if (set.id() != 0 && set.id() != current.id() && set.id() != previous && left.plus(keptFor).isBefore(now)) {
                System.out.println("Dropping view set " + set.id() + " (keyspace " + set.keyspace() + "): readers left it at " + left
                        + ", more than " + keptFor + " ago");
                sets.drop(set);
            }
        }
    }

    /**
     * Waits until the replay's application has committed the events topic up to the end offsets read at the start of the
     * wait, and then its repartition topic up to the end offsets read after that: every event then in the log is in the
     * new set's rows. One offset of slack per partition is a transaction marker, which is never consumed.
     */
    private boolean awaitCaughtUp(Admin admin, SpeedApp app, SpeedConfig replay, Clock clock) throws Exception {
        Instant started = clock.instant();
        Instant deadline = started.plus(catchUpTimeout);
        long records = 0;
        for (String topic : List.of(replay.kafka().eventsTopic(), SpeedTopology.byProductTopic(replay.applicationId()))) {
            Map<TopicPartition, Long> end = offsets(admin, topic, OffsetSpec.latest());
            if (topic.equals(replay.kafka().eventsTopic())) {
                records = end.values().stream().mapToLong(Long::longValue).sum();
            }
            Instant nextReport = clock.instant().plus(REPORT_EVERY);
            while (true) {
                Map<TopicPartition, Long> committed = committed(admin, replay.applicationId());
                long behind = end.entrySet().stream()
                        .mapToLong(partition -> Math.max(0, partition.getValue() - 1 - committed.getOrDefault(partition.getKey(), 0L)))
                        .sum();
                if (behind == 0) {
                    break;
                }
                if (app.awaitStop(POLL)) {
                    System.err.println("lambda replay: the replay's Kafka Streams application stopped (see the log); the next replay resumes it");
                    return false;
                }
                if (clock.instant().isAfter(deadline)) {
                    System.err.println("lambda replay: not caught up after " + catchUpTimeout + " (" + behind + " records of " + topic
                            + " to go); the next replay resumes it");
                    return false;
                }
                if (clock.instant().isAfter(nextReport)) {
                    System.out.println("Replaying: " + behind + " records of " + topic + " to go");
                    nextReport = clock.instant().plus(REPORT_EVERY);
                }
            }
        }
        double seconds = Duration.between(started, clock.instant()).toMillis() / 1000.0;
        // The benchmark (./lambda bench reprocess) reads this line.
        System.out.printf(Locale.ROOT, "Caught up with the live topic: %d records in %.1f s (%.0f records/s)%n", records, seconds,
                records / Math.max(seconds, 0.001));
        return true;
    }

    /** The offset {@code spec} names in every partition of {@code topic}. */
    private static Map<TopicPartition, Long> offsets(Admin admin, String topic, OffsetSpec spec) throws InterruptedException, ExecutionException {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        description.partitions().forEach(partition -> specs.put(new TopicPartition(topic, partition.partition()), spec));
        Map<TopicPartition, Long> offsets = new TreeMap<>(Comparator.comparing(TopicPartition::partition));
        admin.listOffsets(specs).all().get().forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    /**
     * Whether retention or deleteRecords removed records from the start of the events topic, said on standard error if
     * so: a replay from the log start cannot rebuild them.
     */
    private static boolean lostItsFirstRecords(Admin admin, String topic) throws InterruptedException, ExecutionException {
        Map<TopicPartition, Long> logStart = offsets(admin, topic, OffsetSpec.earliest());
        logStart.values().removeIf(offset -> offset == 0);
        if (logStart.isEmpty()) {
            return false;
        }
        String where = logStart.entrySet().stream()
                .map(entry -> "partition " + entry.getKey().partition() + " begins at offset " + entry.getValue())
                .collect(Collectors.joining(", "));
        System.err.println("lambda replay: " + topic + " no longer holds its first records (" + where + "): retention or deleteRecords"
                + " removed them, so a replay would build views without them, and after the switch answers over the time they were"
                + " ingested would say complete: false. In Kappa mode keep the events topic forever (retention.ms=-1, see"
                + " docs/operations.md), or pass --from-log-start to replay what it still holds. Nothing was begun.");
        return true;
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws InterruptedException, ExecutionException {
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        offsets.forEach((partition, offset) -> {
            if (offset != null) {
                committed.put(partition, offset.offset());
            }
        });
        return committed;
    }

    /**
     * Both sets window by window, over the events ingested before the older of their watermarks: each set holds every one
     * of those, so a difference is the logic's, not timing.
     */
    private static ViewComparison compare(CqlSession session, ViewSet current, ViewSet target) {
        SpeedViews left = new CassandraSpeedViews(session, current.keyspace());
        SpeedViews right = new CassandraSpeedViews(session, target.keyspace());
        Instant bound = watermark(right);
        Optional<Instant> currentWatermark = left.progress().isEmpty() ? Optional.empty() : Optional.of(watermark(left));
        if (currentWatermark.isPresent() && currentWatermark.get().isBefore(bound)) {
            bound = currentWatermark.get();
        }
        return ViewComparison.of(left, right, bound);
    }

    private static Instant watermark(SpeedViews views) {
        return views.progress().stream().map(SpeedProgress::watermark).min(Instant::compareTo).orElse(Instant.EPOCH);
    }

    /** The new set's dead-letter topic, laid out as the platform's. */
    private static void createDeadLetterTopic(Admin admin, String platformTopic, String topic) throws InterruptedException, ExecutionException {
        if (admin.listTopics().names().get().contains(topic)) {
            return;
        }
        TopicDescription model = admin.describeTopics(List.of(platformTopic)).allTopicNames().get().get(platformTopic);
        try {
            admin.createTopics(List.of(new NewTopic(topic, model.partitions().size(), (short) model.partitions().get(0).replicas().size())))
                    .all().get();
        }
        catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}

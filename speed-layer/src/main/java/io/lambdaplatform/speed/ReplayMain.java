package io.lambdaplatform.speed;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigValueFactory;
import io.lambdaplatform.model.ReplayFeed;
import io.lambdaplatform.model.ViewDefinition;
import io.lambdaplatform.model.cli.ConfigSourceOptions;
import io.lambdaplatform.model.cli.Entrypoint;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.speed.internal.SourceProcessor;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code replay}: the Kappa way to apply new logic. Runs the speed layer's topology (this release, these rules) into a new
 * set of views beside the current one, while readers keep using the current one: first over the master dataset (which
 * {@code ./lambda batch replay-feed} copies into a feed topic, partition for partition, with each record's place in the
 * events topic), then over the events topic from where the master dataset ends ({@code --log-only}: the events topic from
 * its first offset). Once it has caught up with the live topic, it compares both sets window by window, prints the
 * comparison, and switches readers with one compare-and-set of the view-set pointer. A replay that dies is resumed by the
 * next one (its Kafka Streams application commits under exactly-once). {@code --rollback} switches readers back to the
 * previous set.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Kappa mode: replays the master dataset and then the events topic through this release's logic into a new set"
                + " of views, compares it with the current one and switches readers to it.")
public final class ReplayMain implements Callable<Integer> {

    /** The comparison found windows the change was not meant to touch ({@code --allow-changes}): nothing was switched. */
    public static final int REFUSED = 3;
    private static final Duration POLL = Duration.ofSeconds(1);
    /** The replay's {@code group.instance.id} (Kafka Streams adds the thread's number). */
    private static final String REPLAY_MEMBER = "lambda-replay";
    private static final Duration REPORT_EVERY = Duration.ofSeconds(10);
    /** The offsets of a partition written in transactions that are never consumed once it is read to its end: the last commit marker. */
    private static final int TRANSACTION_MARKER = 1;
    private static final Duration FEED_READ_TIMEOUT = Duration.ofSeconds(60);
    /** Set by {@code ./lambda replay}: the script, which runs {@code ./lambda batch replay-feed}. */
    static final String LAMBDA_SCRIPT_PROPERTY = "lambda.script";

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

    @Option(names = "--from-log-start", description = "Begin a replay even though retention or deleteRecords removed records of the"
            + " events topic that the master dataset does not hold: the new set lacks them, and its answers over the time they were"
            + " ingested say complete: false.")
    private boolean fromLogStart;

    @Option(names = "--log-only", description = "Replay the events topic from its first offset and not the master dataset first"
            + " (no Spark job; for a platform that keeps no master dataset).")
    private boolean logOnly;

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
            if (logOnly && !resuming && !fromLogStart && lostRecords(admin, config.kafka().eventsTopic(), Map.of(), "Nothing was begun.")) {
                return Entrypoint.USAGE;
            }
            ViewSet target = target(sets, config, clock.instant());
            ViewSchema.createViewSet(session, target.keyspace(), config.replicationFactor());
            String eventsTopic = config.kafka().eventsTopic();
            createTopicLike(admin, config.kafka().deadLetterTopic(), ViewSet.deadLetterTopicOf(config.kafka().deadLetterTopic(), target.id()));
            // A static member, so that it can leave the group when it closes: the speed layer takes the set over at once.
            SpeedConfig replay = config.forViewSet(target)
                    .withStreamsOverride(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), REPLAY_MEMBER);
            String feed = ViewSet.replayFeedTopicOf(eventsTopic, target.id());
            boolean masterDatasetRead = committed(admin, replay.applicationId()).keySet().stream()
                    .anyMatch(partition -> partition.topic().equals(eventsTopic));
            if (logOnly && !masterDatasetRead && admin.listTopics().names().get().contains(feed)) {
                System.err.println("lambda replay: view set " + target.id() + " was begun from the master dataset; resume it without --log-only");
                return Entrypoint.USAGE;
            }
            System.out.println("Replaying " + (logOnly ? "" : "the master dataset, then ") + eventsTopic + " into view set " + target.id()
                    + " (keyspace " + target.keyspace() + ", logic " + target.logicVersion() + "); readers keep using view set "
                    + current.id() + " (logic " + current.logicVersion() + ")");
            if (!logOnly && !masterDatasetRead) {
                int replayed = replayMasterDataset(admin, sets, replay, target, feed, resuming, clock);
                if (replayed != Entrypoint.OK) {
                    return replayed;
                }
            }
            Map<TopicPartition, Long> before = committed(admin, replay.applicationId());
            SpeedApp app = SpeedApp.start(replay);
            try {
                Optional<CaughtUp> caughtUp = awaitCaughtUp(admin, app, replay, eventsTopic, TRANSACTION_MARKER, before, clock);
                if (caughtUp.isEmpty()) {
                    return Entrypoint.FAILED;
                }
                // The benchmark (./lambda bench reprocess) reads this line.
                System.out.println("Caught up with the live topic: " + caughtUp.get());
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
     * Reads the master dataset into the new set before the events topic: runs {@code ./lambda batch replay-feed} into the
     * set's feed topic, the set's Kafka Streams application over the feed until it has caught up, and then points the
     * application's offsets of the events topic at where the archive of each partition ends. Those offsets are also what
     * says, to a replay that resumes the set, that the master dataset is read; until then a resumed replay writes the feed
     * again (the topology skips what it processed already). Exit code {@link Entrypoint#OK} to go on with the events topic.
     */
    private int replayMasterDataset(Admin admin, ViewSets sets, SpeedConfig replay, ViewSet target, String feed, boolean resuming,
            Clock clock) throws Exception {
        String eventsTopic = replay.kafka().eventsTopic();
        createTopicLike(admin, eventsTopic, feed);
        int written = writeFeed(feed);
        if (written != 0) {
            System.err.println("lambda replay: ./lambda batch replay-feed failed (exit " + written + "); the next replay resumes view set "
                    + target.id());
            return Entrypoint.FAILED;
        }
        Map<Integer, ReplayFeed.End> ends = feedEnds(replay, feed);
        Map<TopicPartition, Long> logStart = offsets(admin, eventsTopic, OffsetSpec.earliest());
        Map<TopicPartition, Long> logEnd = offsets(admin, eventsTopic, OffsetSpec.latest());
        String behind = String.join("; ", notContinuing(eventsTopic, ends, logEnd));
        if (!behind.isEmpty()) {
            // As the batch layer refuses it: going on from the archive's end would skip every record of the new topic below it.
            System.err.println("lambda replay: " + eventsTopic + " does not continue the master dataset (was it deleted and re-created?): "
                    + behind + ". The next replay resumes view set " + target.id() + ".");
            return Entrypoint.FAILED;
        }
        String outcome = resuming ? "View set " + target.id() + " stays for a replay with --from-log-start to resume."
                : "Nothing was begun.";
        if (!fromLogStart && lostRecords(admin, eventsTopic, ends, outcome)) {
            if (!resuming) {
                sets.drop(target);
                admin.deleteTopics(List.of(feed)).all().get();
            }
            return Entrypoint.USAGE;
        }
        Map<TopicPartition, Long> before = committed(admin, replay.applicationId());
        SpeedApp app = SpeedApp.start(replay, Optional.of(feed));
        try {
            Optional<CaughtUp> caughtUp = awaitCaughtUp(admin, app, replay, feed, 0, before, clock);
            if (caughtUp.isEmpty()) {
                return Entrypoint.FAILED;
            }
            System.out.println("Replayed the master dataset: " + caughtUp.get());
        }
        finally {
            app.close(true);
        }
        Map<TopicPartition, OffsetAndMetadata> goOn = new HashMap<>();
        logStart.forEach((partition, start) -> {
            ReplayFeed.End end = ends.get(partition.partition());
            goOn.put(partition, new OffsetAndMetadata(end == null ? start : Math.max(start, end.toOffset())));
        });
        alterOffsets(admin, replay.applicationId(), goOn, clock);
        admin.deleteTopics(List.of(feed)).all().get();
        System.out.println("Going on with " + eventsTopic + " where the master dataset ends: " + goOn.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparingInt(TopicPartition::partition)))
                .map(entry -> "partition " + entry.getKey().partition() + " at offset " + entry.getValue().offset())
                .collect(Collectors.joining(", ")));
        return Entrypoint.OK;
    }

    /** Runs {@code ./lambda batch replay-feed} with this command's configuration, its output on this command's. */
    private int writeFeed(String feed) throws IOException, InterruptedException {
        String script = System.getProperty(LAMBDA_SCRIPT_PROPERTY);
        if (script == null) {
            throw new IllegalStateException("The replay runs ./lambda batch replay-feed, and the system property " + LAMBDA_SCRIPT_PROPERTY
                    + " (set by ./lambda replay) names no script; run it as ./lambda replay, or pass --log-only");
        }
        List<String> command = new ArrayList<>(List.of(script, "batch", "replay-feed", "--topic", feed));
        if (source.stackDir() != null) {
            command.addAll(List.of("--stack", source.stackDir().toString()));
        }
        if (source.configFile() != null) {
            command.addAll(List.of("--config", source.configFile().toString()));
        }
        System.out.println("Writing the master dataset into " + feed + ": " + String.join(" ", command));
        System.out.flush();
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /**
     * Why the events topic does not continue the master dataset, one line per partition whose log ends below where its
     * archive ends (the topic was deleted and re-created since the archive): going on from the archive's end there would
     * skip every record of the new topic below it. Empty when it continues.
     *
     * @param archiveEnds the feed's end records, by partition: where each partition's archive ends
     * @param logEnds the events topic's end offsets now
     */
    static List<String> notContinuing(String eventsTopic, Map<Integer, ReplayFeed.End> archiveEnds, Map<TopicPartition, Long> logEnds) {
        List<String> problems = new ArrayList<>();
        archiveEnds.forEach((partition, end) -> {
            long logEnd = logEnds.getOrDefault(new TopicPartition(eventsTopic, partition), -1L);
            if (logEnd < end.toOffset()) {
                problems.add("partition " + partition + " was archived up to offset " + end.toOffset() + " but its log ends at "
                        + (logEnd < 0 ? "no offset: the topic has no such partition" : logEnd));
            }
        });
        return problems;
    }

    /** Where the archive of each partition ends, from the last record of each partition of the feed. */
    private static Map<Integer, ReplayFeed.End> feedEnds(SpeedConfig replay, String feed) {
        Map<Integer, ReplayFeed.End> ends = new TreeMap<>();
        Map<String, Object> settings = replay.kafka().clientProperties(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(feed).stream()
                    .map(info -> new TopicPartition(feed, info.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> pending = new HashMap<>();
            endOffsets.forEach((partition, end) -> {
                if (end > 0) {
                    consumer.seek(partition, end - 1);
                    pending.put(partition, end - 1);
                }
                else {
                    consumer.pause(List.of(partition));
                }
            });
            Instant deadline = Instant.now().plus(FEED_READ_TIMEOUT);
            while (!pending.isEmpty() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (pending.remove(partition, record.offset())) {
                        SourceProcessor.feedEntry(record.headers()).filter(ReplayFeed.End.class::isInstance).map(ReplayFeed.End.class::cast)
                                .ifPresent(end -> ends.put(record.partition(), end));
                    }
                }
            }
            if (!pending.isEmpty()) {
                throw new IllegalStateException("Cannot read the last record of " + pending.keySet() + " in " + FEED_READ_TIMEOUT);
            }
        }
        return ends;
    }

    /** Sets the committed offsets of the (empty) group; right after the replay's member left, the group may still hold it a moment. */
    private static void alterOffsets(Admin admin, String group, Map<TopicPartition, OffsetAndMetadata> offsets, Clock clock) throws Exception {
        Instant deadline = clock.instant().plus(Duration.ofSeconds(60));
        while (true) {
            try {
                admin.alterConsumerGroupOffsets(group, offsets).all().get();
                return;
            }
            catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownMemberIdException) || clock.instant().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }

    /** How far a replay got, for the operator and the benchmark. */
    private record CaughtUp(long records, Duration took) {
        @Override
        public String toString() {
            double seconds = took.toMillis() / 1000.0;
            return String.format(Locale.ROOT, "%d records in %.1f s (%.0f records/s)", records, seconds, records / Math.max(seconds, 0.001));
        }
    }

    /**
     * Waits until the replay's application has committed {@code source} up to the end offsets read at the start of the
     * wait, and then its repartition topic up to the end offsets read after that: every record then in {@code source} is in
     * the new set's rows. Counts the offsets of {@code source} beyond {@code before}, what the application had committed
     * when it started. {@code slack} offsets per partition of {@code source} are a transaction marker, never consumed (1
     * for the events topic, 0 for a feed); the repartition topic is written in transactions.
     */
    private Optional<CaughtUp> awaitCaughtUp(Admin admin, SpeedApp app, SpeedConfig replay, String source, int slack,
            Map<TopicPartition, Long> before, Clock clock) throws Exception {
        Instant started = clock.instant();
        Instant deadline = started.plus(catchUpTimeout);
        // Running, its repartition topic made: an empty source is caught up at once, before the topic exists.
        while (app.state() != KafkaStreams.State.RUNNING) {
            if (app.awaitStop(POLL) || clock.instant().isAfter(deadline)) {
                System.err.println("lambda replay: the replay's Kafka Streams application did not start (see the log); the next replay"
                        + " resumes it");
                return Optional.empty();
            }
        }
        long records = 0;
        for (String topic : List.of(source, SpeedTopology.byProductTopic(replay.applicationId()))) {
            Map<TopicPartition, Long> end = offsets(admin, topic, OffsetSpec.latest());
            int unread = topic.equals(source) ? slack : TRANSACTION_MARKER;
            if (topic.equals(source)) {
                records = end.entrySet().stream().mapToLong(partition -> partition.getValue() - before.getOrDefault(partition.getKey(), 0L)).sum();
            }
            Instant nextReport = clock.instant().plus(REPORT_EVERY);
            while (true) {
                Map<TopicPartition, Long> committed = committed(admin, replay.applicationId());
                long behind = end.entrySet().stream()
                        .mapToLong(partition -> Math.max(0, partition.getValue() - unread - committed.getOrDefault(partition.getKey(), 0L)))
                        .sum();
                if (behind == 0) {
                    break;
                }
                if (app.awaitStop(POLL)) {
                    System.err.println("lambda replay: the replay's Kafka Streams application stopped (see the log); the next replay resumes it");
                    return Optional.empty();
                }
                if (clock.instant().isAfter(deadline)) {
                    System.err.println("lambda replay: not caught up after " + catchUpTimeout + " (" + behind + " records of " + topic
                            + " to go); the next replay resumes it");
                    return Optional.empty();
                }
                if (clock.instant().isAfter(nextReport)) {
                    System.out.println("Replaying: " + behind + " records of " + topic + " to go");
                    nextReport = clock.instant().plus(REPORT_EVERY);
                }
            }
        }
        return Optional.of(new CaughtUp(records, Duration.between(started, clock.instant())));
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
     * Whether retention or deleteRecords removed records of the events topic that the master dataset does not hold (it holds
     * each partition's offsets below {@code ends}; none when the replay reads only the log), said on standard error if so:
     * a replay cannot rebuild them.
     */
    private static boolean lostRecords(Admin admin, String topic, Map<Integer, ReplayFeed.End> ends, String outcome)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, Long> logStart = offsets(admin, topic, OffsetSpec.earliest());
        logStart.entrySet().removeIf(entry -> {
            ReplayFeed.End end = ends.get(entry.getKey().partition());
            return entry.getValue() <= (end == null ? 0 : end.toOffset());
        });
        if (logStart.isEmpty()) {
            return false;
        }
        String where = logStart.entrySet().stream()
                .map(entry -> "partition " + entry.getKey().partition() + " begins at offset " + entry.getValue()
                        + Optional.ofNullable(ends.get(entry.getKey().partition())).map(end -> " (archived up to " + end.toOffset() + ")").orElse(""))
                .collect(Collectors.joining(", "));
        System.err.println("lambda replay: " + topic + " no longer holds records " + (ends.isEmpty() ? "" : "the master dataset lacks ") + "("
                + where + "): retention or deleteRecords removed them, so a replay would build views without them, and after the switch"
                + " answers over the time they were ingested would say complete: false. Keep the events topic until the batch layer has"
                + " archived it (./lambda batch archive), or forever (retention.ms=-1, see docs/operations.md), or pass --from-log-start"
                + " to replay what it still holds. " + outcome);
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

    /** {@code topic}, with the partitions and replication of {@code model}, unless it exists. */
    private static void createTopicLike(Admin admin, String model, String topic) throws InterruptedException, ExecutionException {
        if (admin.listTopics().names().get().contains(topic)) {
            return;
        }
        TopicDescription layout = admin.describeTopics(List.of(model)).allTopicNames().get().get(model);
        try {
            admin.createTopics(List.of(new NewTopic(topic, layout.partitions().size(), (short) layout.partitions().get(0).replicas().size())))
                    .all().get();
        }
        catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}

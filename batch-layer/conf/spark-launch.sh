# shellcheck shell=bash
# How the batch job is launched through SparkSubmit, defined once for `./lambda batch` and the container
# entrypoint (docker/lambda-container), which both source this file:
#
#   LAMBDA_BATCH_HEAP        heap of the SparkSubmit JVM (driver, and in local mode the executors), default 4g
#   LAMBDA_BATCH_MASTER      Spark master, default local[2]
#   LAMBDA_BATCH_PARTITIONS  spark.sql.shuffle.partitions, default 8
#   LAMBDA_BATCH_JIT         JIT flags of the SparkSubmit JVM and (spark.executor.defaultJavaOptions) of a cluster's
#                            executors; default LAMBDA_BATCH_JIT_DEFAULT; empty: the JVM's own thresholds
#
# lambda_batch_launch JVM_OPTIONS_FILE LOG4J_FILE JOB_JAR [spark-submit options...] -- [job arguments...]
# sets two arrays: LAMBDA_BATCH_JVM, the options of the JVM (heap, the --add-opens list of JVM_OPTIONS_FILE, which the
# build writes from the parent pom's java17.opens, and the log4j2 configuration), and LAMBDA_BATCH_SUBMIT, the
# arguments of org.apache.spark.deploy.SparkSubmit (master, name, UI off, shuffle partitions, the executors' JIT flags,
# the given options, the main class and the job jar, then the job's own arguments).

LAMBDA_BATCH_MAIN=io.lambdaplatform.batch.BatchMain

# A batch run's JVM lives for seconds to minutes. With HotSpot's default thresholds its C2 compiler spent 15-30 s of CPU
# on a 2-core machine in a 35 s run, mostly on Spark's planning code that runs a few thousand times per run; ten
# times the thresholds leave C2 the per-record code, which reaches them within the first records (docs/batch-layer.md,
# "The JIT's thresholds").
LAMBDA_BATCH_JIT_DEFAULT="-XX:Tier4InvocationThreshold=50000 -XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000"

lambda_batch_launch() {
  local jvm_options_file="$1" log4j="$2" jar="$3"
  shift 3
  local -a opens submit_options=()
  read -r -a opens < "$jvm_options_file"
  while [[ $# -gt 0 && "$1" != "--" ]]; do
    submit_options+=("$1")
    shift
  done
  [[ $# -gt 0 ]] && shift
  local -a jit
  read -r -a jit <<< "${LAMBDA_BATCH_JIT-$LAMBDA_BATCH_JIT_DEFAULT}"
  # defaultJavaOptions come before a deployment's own spark.executor.extraJavaOptions, which keep theirs and win.
  local -a executor_jit=()
  [[ ${#jit[@]} -gt 0 ]] && executor_jit=(--conf spark.executor.defaultJavaOptions="${jit[*]}")
  LAMBDA_BATCH_JVM=(-Xmx"${LAMBDA_BATCH_HEAP:-4g}" "${jit[@]}" "${opens[@]}" -Dlog4j2.configurationFile="$log4j")
  LAMBDA_BATCH_SUBMIT=(
    --master "${LAMBDA_BATCH_MASTER:-local[2]}"
    --name lambda-batch
    --conf spark.ui.enabled=false
    --conf spark.sql.shuffle.partitions="${LAMBDA_BATCH_PARTITIONS:-8}"
    "${executor_jit[@]}"
    "${submit_options[@]}"
    --class "$LAMBDA_BATCH_MAIN"
    "$jar" "$@")
}

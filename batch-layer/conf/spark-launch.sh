# shellcheck shell=bash
# How the batch job is launched through SparkSubmit, defined once for `./lambda batch` and the container
# entrypoint (docker/lambda-container), which both source this file:
#
#   LAMBDA_BATCH_HEAP        heap of the SparkSubmit JVM (driver, and in local mode the executors), default 4g
#   LAMBDA_BATCH_MASTER      Spark master, default local[2]
#   LAMBDA_BATCH_PARTITIONS  spark.sql.shuffle.partitions, default 8
#
# lambda_batch_launch JVM_OPTIONS_FILE LOG4J_FILE JOB_JAR [spark-submit options...] -- [job arguments...]
# sets two arrays: LAMBDA_BATCH_JVM, the options of the JVM (heap, the --add-opens list of JVM_OPTIONS_FILE, which the
# build writes from the parent pom's java17.opens, and the log4j2 configuration), and LAMBDA_BATCH_SUBMIT, the
# arguments of org.apache.spark.deploy.SparkSubmit (master, name, UI off, shuffle partitions, the given options, the
# main class and the job jar, then the job's own arguments).

LAMBDA_BATCH_MAIN=io.lambdaplatform.batch.BatchMain

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
  LAMBDA_BATCH_JVM=(-Xmx"${LAMBDA_BATCH_HEAP:-4g}" "${opens[@]}" -Dlog4j2.configurationFile="$log4j")
  LAMBDA_BATCH_SUBMIT=(
    --master "${LAMBDA_BATCH_MASTER:-local[2]}"
    --name lambda-batch
    --conf spark.ui.enabled=false
    --conf spark.sql.shuffle.partitions="${LAMBDA_BATCH_PARTITIONS:-8}"
    "${submit_options[@]}"
    --class "$LAMBDA_BATCH_MAIN"
    "$jar" "$@")
}

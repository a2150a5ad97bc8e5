#!/usr/bin/env bash
# Lays out the platform's deployables for the container image (the Dockerfile's build stage runs it):
#
#   OUT/bin/lambda-container        the image's entrypoint
#   OUT/<deployable>/lib/*.jar      a deployable's jar and its runtime libraries, one directory each, so that no
#                                   deployable sees another's libraries (Spark's logging next to logback, say)
#   OUT/batch/batch-layer.jar       the Spark job jar that spark-submit runs; OUT/batch/lib its libraries,
#   OUT/batch/spark/*.jar           Spark with the Kafka source, S3A and the cloud committers (provided scope),
#   OUT/batch/jvm-options, OUT/batch/log4j2.properties, OUT/batch/spark-launch.sh (the Spark launch ./lambda uses too)
#
# Usage: docker/assemble.sh OUT [deployable...]   (deployables: provision speed serve batch generate; default all)
# It runs outside Docker too, which is how the layout and the entrypoint are checked on machines without Docker.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:?usage: docker/assemble.sh OUT [provision|speed|serve|batch|generate...]}"
shift
deployables=("$@")
[[ ${#deployables[@]} -gt 0 ]] || deployables=(provision speed serve batch generate)

module_of() {
  case "$1" in
    provision) echo local-stack ;;
    speed)     echo speed-layer ;;
    serve)     echo serving-layer ;;
    batch)     echo batch-layer ;;
    generate)  echo event-generator ;;
    *) echo "assemble: unknown deployable '$1'" >&2; exit 2 ;;
  esac
}

modules=()
for deployable in "${deployables[@]}"; do
  modules+=("$(module_of "$deployable")")
done
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)"

mvnw() { ./mvnw -B -ntp -q "$@"; }

echo "assemble: building ${modules[*]} ${version}"
mvnw -DskipTests install -pl "$(IFS=,; echo "${modules[*]}")" -am

rm -rf "$out"
mkdir -p "$out/bin"
install -m 0755 docker/lambda-container "$out/bin/lambda-container"

for deployable in "${deployables[@]}"; do
  module="$(module_of "$deployable")"
  target="$out/$deployable"
  mkdir -p "$target/lib"
  if [[ "$deployable" == batch ]]; then
    cp "$module/target/$module-$version.jar" "$target/batch-layer.jar"
    # The platform's own classes come from the job jar only, as spark-submit sees them on a cluster.
    mvnw -o dependency:copy-dependencies -pl "$module" -DincludeScope=runtime -DexcludeGroupIds=io.lambdaplatform \
      -DoutputDirectory="$(realpath "$target/lib")"
    mkdir -p "$target/spark"
    mvnw -o dependency:copy-dependencies -pl "$module" -DincludeScope=provided -DoutputDirectory="$(realpath "$target/spark")"
    cp "$module/target/launcher.jvm-options" "$target/jvm-options"
    cp "$module/conf/log4j2-local.properties" "$target/log4j2.properties"
    cp "$module/conf/spark-launch.sh" "$target/spark-launch.sh"
  else
    cp "$module/target/$module-$version.jar" "$target/lib/"
    mvnw -o dependency:copy-dependencies -pl "$module" -DincludeScope=runtime -DoutputDirectory="$(realpath "$target/lib")"
  fi
  echo "assemble: $deployable: $(find "$target" -name '*.jar' | wc -l) jars, $(du -sh "$target" | cut -f1)"
done

#!/usr/bin/env bash
# The README's "Use it from your project", checked as a new user would do it: install jmirai (`mvn -DskipTests
# install`), create a project from exactly the pom.xml the README shows, build it, and run a program that runs a task
# on two local daemons and on a daemon started by hand from the Maven-resolved daemon jar (target/jmirai-daemon.jar,
# io.jmirai:jmirai-daemon:VERSION:jar:all).
#
# Everything goes to a private local repository under target/fresh-project/m2, never to the shared ~/.m2: Maven reads
# ~/.m2/repository (or $JMIRAI_SEED_REPO) as a file:// repository and copies what it needs from there, falling back
# to the usual remote repository for anything missing. Takes about 2-4 minutes on 2 busy cores (most of it the
# install, which builds the libraries with their sources and Javadoc jars).
set -euo pipefail
trap 'echo "fresh-project: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/fresh-project
seed=${JMIRAI_SEED_REPO:-$HOME/.m2/repository}
rm -rf "$work"
mkdir -p "$work/app"
start=$(date +%s)

cat > "$work/settings.xml" <<XML
<settings>
  <profiles>
    <profile>
      <id>seed</id>
      <repositories>
        <repository>
          <id>seed</id>
          <url>file://$seed</url>
          <releases><enabled>true</enabled></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository>
          <id>seed</id>
          <url>file://$seed</url>
          <releases><enabled>true</enabled></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles>
    <activeProfile>seed</activeProfile>
  </activeProfiles>
</settings>
XML
mvn_private() {
    mvn -B -ntp -s "$work/settings.xml" -Dmaven.repo.local="$work/m2" "$@"
}

# 1. The README's install step; only the modules a user needs (the examples and benchmarks are not libraries).
# -DskipITs too: until failsafe honours -DskipTests, that alone would run the integration suite.
mvn_private -q -DskipTests -DskipITs install -pl bom,dispatcher -am
test -f "$work/m2/io/jmirai/jmirai-daemon/0.1.0-SNAPSHOT/jmirai-daemon-0.1.0-SNAPSHOT-all.jar"
test -f "$work/m2/io/jmirai/jmirai-dispatcher/0.1.0-SNAPSHOT/jmirai-dispatcher-0.1.0-SNAPSHOT-javadoc.jar"
installed=$(date +%s)

# 2. The project: the README's pom.xml, verbatim, and a main class.
awk '/scripts\/fresh-project.sh builds a project from exactly this pom.xml/ {found=1; next}
     found && /^```xml/ {inside=1; next}
     inside && /^```/ {exit}
     inside {print}' README.md > "$work/app/pom.xml"
grep -q "<artifactId>jmirai-bom</artifactId>" "$work/app/pom.xml"
cp -r scripts/fresh-project/src "$work/app/"
cd "$work/app"
mvn_private -q package
test -f target/jmirai-daemon.jar
mvn_private -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt

# 3. Run it: local daemons, then a daemon started by hand from target/jmirai-daemon.jar.
timeout 300 java -cp "target/classes:$(cat target/classpath.txt)" com.example.App target/jmirai-daemon.jar target/classes \
    | tee target/run.log
grep -q "^local daemons: sqrt(2) = 1.4142" target/run.log
grep -q "^hand-started daemon: Greeting" target/run.log
grep -q "^fresh project: OK" target/run.log
end=$(date +%s)
echo "fresh-project: passed (install $((installed - start)) s, project build and run $((end - installed)) s)"

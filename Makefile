# Two commands do all the set-up on a fresh Debian machine:
#   make run    install what is missing, build, start the dashboard
#   make test   the same set-up, then every test (normal and ASan+UBSan builds)
# Both are idempotent: a second run installs nothing.

SHELL := /bin/bash
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)

APT_PKGS := build-essential libncurses-dev libssh-dev libsqlite3-dev libyaml-dev \
            libjsmn-dev libcmocka-dev cmake pkg-config openssh-server openssh-client \
            tmux sqlite3 git procps curl ca-certificates clang-format busybox time \
            jq iproute2 util-linux python3
# The real OpenCode CLI for the test fleet: the current release and the two
# older storage formats (1.2.x SQLite without some columns, 1.1.x JSON files).
OPENCODE_VERSIONS := 1.18.33 1.2.27 1.1.65
OPENCODE_CACHE    ?= $(HOME)/.cache/codefleet/opencode
export OPENCODE_CACHE

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all run test deps deps-apt deps-npm build build-asan check clean

all: build

deps: deps-apt deps-npm

deps-apt:
	@missing=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

deps-npm: deps-apt
	@for v in $(OPENCODE_VERSIONS); do \
	  bin="$(OPENCODE_CACHE)/$$v/node_modules/.bin/opencode"; \
	  [ -x "$$bin" ] && continue; \
	  echo "installing opencode-ai@$$v into $(OPENCODE_CACHE)/$$v"; \
	  mkdir -p "$(OPENCODE_CACHE)/$$v" && \
	  (cd "$(OPENCODE_CACHE)/$$v" && [ -f package.json ] || echo '{"private":true}' > package.json) && \
	  npm install --prefix "$(OPENCODE_CACHE)/$$v" --no-audit --no-fund --loglevel=error "opencode-ai@$$v" || exit 1; \
	done

build: deps-apt
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPICKY_DEVELOPER=ON >/dev/null
	cmake --build build -j $(JOBS)

build-asan: deps-apt
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=AsanUbsan -DPICKY_DEVELOPER=ON >/dev/null
	cmake --build build-asan -j $(JOBS)

run: deps build
	./build/codefleet

test: deps build build-asan
	cd build && ctest --output-on-failure -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf build build-asan

#!/bin/sh
# Install (or upgrade in place) the acupressure kiosk as a systemd service.
#
#   sudo make install                  (= sudo sh scripts/install.sh)
#   sudo make install BOOT_SETTINGS=0  (the same, but leave the boot settings alone)
#   make install DESTDIR=/some/dir     (only write the files under /some/dir; see below)
#
# First it checks that the project folder is complete: every file MANIFEST.sha256 (written by
# `make dist`) lists must be there with its checksum; in a folder without one (a git
# checkout) the files it needs itself. A missing or damaged file stops it with one line
# naming the file. On the Pi it then installs the Debian packages, creates the `kiosk` user,
# builds the virtual environment /opt/acupressure-kiosk/venv (with --system-site-packages,
# so the apt lgpio is used), installs the project into it, writes
# /etc/acupressure-kiosk/config.yaml if there is none (never overwriting the staff's file),
# installs, enables and starts the unit, and keeps a login prompt on the second console
# (getty@tty2, Ctrl+Alt+F2), as the kiosk takes the first. It also sets the boot settings
# (below) unless told not to. Running it again upgrades in place. When systemd is not running
# (a chroot or an image build) the units are enabled and start at the next boot.
#
# Boot settings: the words "consoleblank=0 quiet logo.nologo vt.global_cursor_default=0" (no
# screen blanking, no boot messages, no cursor) are added to the kernel command line,
# /boot/firmware/cmdline.txt (or /boot/cmdline.txt), once each; another consoleblank= value is
# replaced. Only when that file exists and is one line; the first run keeps the original as
# cmdline.txt.before-acupressure-kiosk; the file stays one line. They apply after a reboot.
# --no-boot-settings (BOOT_SETTINGS=0) leaves the file alone.
#
# --destdir DIR writes the unit, the config, the enable links (the kiosk's and getty@tty2's),
# /opt/acupressure-kiosk/share, the command link /usr/local/bin/acupressure-kiosk and the boot
# settings (if DIR has a cmdline.txt) under DIR and touches nothing else: no packages, no
# user, no systemctl. It does not build the virtual environment (a venv is not
# relocatable: its scripts name their own path). To build a complete image, run this script
# inside the image with chroot instead. The config is produced
# by `PYTHON -m kiosk defaults` from this source tree (--python, default python3).
#
# Options: --destdir DIR, --no-boot-settings (--boot-settings is the default), --python PATH,
# --help.

set -eu

NAME=acupressure-kiosk
UNIT=$NAME.service
KIOSK_USER=kiosk
KIOSK_GROUPS="video render input gpio audio"
OPT=/opt/$NAME
VENV=$OPT/venv
ETC=/etc/$NAME
CONFIG=$ETC/config.yaml
STATE=/var/lib/$NAME
UNIT_DIR=/etc/systemd/system
BOOT_WORDS="consoleblank=0 quiet logo.nologo vt.global_cursor_default=0"
# procps: /bin/kill, which the unit's ExecReload= (`systemctl reload`) runs. v4l-utils:
# cec-ctl, which switches an HDMI TV to standby outside opening hours. espeak-ng: the voice
# of the spoken guidance (speech.enabled), offline.
# libgl1-mesa-dri: mesa's GPU drivers (vc4 and v3d on a Pi). Only recommended by libegl1, so
# --no-install-recommends leaves them out, and without them EGL cannot start: SDL's KMSDRM
# driver then opens no screen (tests/integration/test_vm.py found it).
DEBS="python3 python3-venv libdrm2 libgbm1 libegl1 libgles2 libgl1-mesa-dri fonts-dejavu-core procps v4l-utils espeak-ng"
# Lets the kiosk's user switch the screen off: /dev/cec* and the backlight's bl_power.
RULES=/etc/udev/rules.d/70-$NAME.rules
# Loads ALSA's core (the kernel module snd) early in boot. systemd resolves the unit's
# DeviceAllow=char-alsa from /proc/devices when the service starts: a sound card probed
# after that stays shut to the kiosk until a restart (seen in tests/integration/test_vm.py).
MODULES=/etc/modules-load.d/$NAME.conf
# The second console keeps its login prompt (Ctrl+Alt+F2): the kiosk takes tty1 only.
GETTY=getty@tty2.service
GETTY_TEMPLATE=/lib/systemd/system/getty@.service
MANIFEST=MANIFEST.sha256
# What the installer itself reads, checked in a folder without a MANIFEST.sha256.
NEEDED="pyproject.toml LICENSE README.md Makefile scripts/uninstall.sh systemd/$UNIT
    systemd/70-$NAME.rules docs/staff-guide.md docs/wiring.svg kiosk/__init__.py kiosk/__main__.py
    kiosk/commands/cli.py kiosk/content/builtin.yaml media/__init__.py
    media/fonts/DejaVuSans.ttf media/fonts/DejaVuSans-Bold.ttf"

SRC=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=""
BOOT_SETTINGS=yes
PYTHON=python3

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
}

parse_args() {
    while [ $# -gt 0 ]; do
        case $1 in
            --destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; DESTDIR=$2; shift ;;
            --destdir=*) DESTDIR=${1#*=} ;;
            --boot-settings) BOOT_SETTINGS=yes ;;
            --no-boot-settings) BOOT_SETTINGS=no ;;
            --python) [ $# -ge 2 ] || die "--python needs a program"; PYTHON=$2; shift ;;
            --python=*) PYTHON=${1#*=} ;;
            -h|--help) usage; exit 0 ;;
            *) die "unknown option: $1 (see --help)" ;;
        esac
        shift
    done
    if [ -n "$DESTDIR" ]; then
        mkdir -p "$DESTDIR"
        DESTDIR=$(cd "$DESTDIR" && pwd)
        [ "$DESTDIR" != / ] || die "--destdir / is the real system: run without --destdir"
    fi
}

# Refuse a half-copied folder, before anything is changed: one line naming the first missing
# or damaged file. A release folder has MANIFEST.sha256 (every file and its checksum, made by
# `make dist`); a folder without one (a git checkout) must have the files the installer needs.
check_complete() {
    again="copy the .tar.gz file to the Pi again, unpack it and run sudo make install in the new folder"
    first="" problem="" others=0 count=0
    if [ -f "$SRC/$MANIFEST" ]; then
        command -v sha256sum >/dev/null 2>&1 || die "sha256sum is missing (Debian package: coreutils)"
        while read -r sum path || [ -n "$path" ]; do
            [ -n "$path" ] || continue
            count=$((count + 1))
            if [ ! -f "$SRC/$path" ]; then
                this="is missing"
            elif [ "$(sha256sum <"$SRC/$path" | cut -d' ' -f1)" != "$sum" ]; then
                this="is damaged (it differs from $MANIFEST)"
            else
                continue
            fi
            if [ -z "$first" ]; then first=$path problem=$this; else others=$((others + 1)); fi
        done <"$SRC/$MANIFEST"
        [ "$count" -gt 0 ] || die "$MANIFEST is empty: $again"
    else
        for path in $NEEDED; do
            [ -f "$SRC/$path" ] && continue
            if [ -z "$first" ]; then first=$path problem="is missing"; else others=$((others + 1)); fi
        done
    fi
    if [ -n "$first" ]; then
        more=""
        [ "$others" -eq 0 ] || more=" (and $others more file(s) are missing or damaged)"
        die "this folder is incomplete: $first $problem$more; $again"
    fi
    if [ "$count" -gt 0 ]; then
        say "the folder is complete: all $count files of $MANIFEST are here and intact"
    fi
}

# True when systemd is PID 1 here (not a chroot, not a container build).
systemd_running() {
    [ -d /run/systemd/system ] || return 1
    if command -v systemd-detect-virt >/dev/null 2>&1 && systemd-detect-virt --quiet --chroot; then
        return 1
    fi
    return 0
}

install_debs() {
    export DEBIAN_FRONTEND=noninteractive
    say "updating the package lists (apt-get update)"
    apt-get update -q
    debs=$DEBS
    if apt-cache policy python3-lgpio 2>/dev/null | grep -q 'Candidate: [^(]'; then
        debs="$debs python3-lgpio"
    else
        say "NOTE: python3-lgpio is not in this system's package archive (it is in Raspberry Pi OS's,"
        say "      not Debian's). The installer tries the lgpio wheel from PyPI instead."
    fi
    say "installing Debian packages: $debs"
    # shellcheck disable=SC2086 # one word per package
    apt-get install -y -q --no-install-recommends $debs
}

ensure_user() {
    for group in $KIOSK_GROUPS; do
        if ! getent group "$group" >/dev/null; then
            say "creating the missing system group '$group'"
            groupadd --system "$group"
            echo "$group" >>"$OPT/share/created-groups"
        fi
    done
    if getent passwd "$KIOSK_USER" >/dev/null; then
        say "user '$KIOSK_USER' exists"
    else
        say "creating the system user '$KIOSK_USER'"
        useradd --system --user-group --home-dir "$STATE" --no-create-home \
            --shell /usr/sbin/nologin --comment "Acupressure kiosk" "$KIOSK_USER"
    fi
    usermod --append --groups "$(echo "$KIOSK_GROUPS" | tr ' ' ,)" "$KIOSK_USER"
}

# Wheels only: nothing is compiled on the Pi (a dependency without a wheel for this
# architecture fails loudly instead of building for an hour).
pip_install() {
    "$VENV/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check \
        --only-binary=:all: "$@"
}

# lgpio comes from apt on Raspberry Pi OS (python3-lgpio, seen through the venv's system site
# packages). Where the archive has none, try its wheel; the floor keeps out lgpio 0.0.0.2, an
# empty placeholder that pip picks where no real wheel exists.
ensure_lgpio() {
    if "$VENV/bin/python" -c 'import lgpio' 2>/dev/null; then
        return 0
    fi
    say "python3-lgpio is not installed: trying the lgpio wheel from PyPI"
    if ! pip_install 'lgpio>=0.2'; then
        say "NOTE: no lgpio for this system: GPIO will not work here (the kiosk still runs and"
        say "      logs \"No GPIO available for the button ...\")."
    fi
}

# Install the project from a clean copy of the source, so the staff's folder gets no
# root-owned build files, and without the developer's .venv or .git.
install_venv() {
    if [ -x "$VENV/bin/python" ]; then
        say "upgrading the virtual environment $VENV"
    else
        say "creating the virtual environment $VENV (with the system's site packages)"
    fi
    python3 -m venv --system-site-packages "$VENV"
    build=$(mktemp -d)
    trap 'rm -rf "$build"' EXIT
    (cd "$SRC" && tar -cf - --exclude=./.venv --exclude=./.git --exclude=./build \
        --exclude='*.egg-info' --exclude=__pycache__ --exclude=./out .) | tar -xf - -C "$build"
    say "installing the kiosk into $VENV (pip, needs the network)"
    # The project itself always (same version on a re-run), then whatever it still needs.
    if ! pip_install --upgrade --force-reinstall --no-deps "$build" || ! pip_install "$build"; then
        die "pip could not install the kiosk or its libraries (is the Pi online?); run it again"
    fi
    ensure_lgpio
    rm -rf "$build"
    trap - EXIT
}

install_share() {
    install -d -m 0755 "$DESTDIR$OPT/share"
    install -m 0644 "$SRC/docs/staff-guide.md" "$SRC/docs/wiring.svg" "$DESTDIR$OPT/share/"
    install -m 0755 "$SRC/scripts/uninstall.sh" "$DESTDIR$OPT/share/uninstall.sh"
}

# The staff's config: a commented copy of the defaults, written only when there is none.
install_config() {
    install -d -m 0755 "$DESTDIR$ETC"
    if [ -e "$DESTDIR$CONFIG" ]; then
        say "keeping the existing $CONFIG (never overwritten)"
        return
    fi
    tmp=$DESTDIR$CONFIG.new
    if [ -n "$DESTDIR" ]; then
        (cd "$SRC" && PYTHONPATH="$SRC${PYTHONPATH:+:$PYTHONPATH}" SDL_VIDEODRIVER=dummy \
            "$PYTHON" -m kiosk defaults) >"$tmp" || { rm -f "$tmp"; die "'$PYTHON -m kiosk defaults' failed"; }
    else
        SDL_VIDEODRIVER=dummy "$VENV/bin/$NAME" defaults >"$tmp" \
            || { rm -f "$tmp"; die "'$VENV/bin/$NAME defaults' failed"; }
    fi
    [ -s "$tmp" ] || { rm -f "$tmp"; die "the built-in defaults came out empty"; }
    chmod 0644 "$tmp"
    mv "$tmp" "$DESTDIR$CONFIG"
    say "wrote $CONFIG (the built-in defaults, commented: edit it to change texts, holds, pins)"
}

check_config() {
    if SDL_VIDEODRIVER=dummy "$VENV/bin/$NAME" check --config "$CONFIG"; then
        say "$CONFIG is valid"
    else
        say "WARNING: $CONFIG has errors (above). The kiosk shows its built-in content until"
        say "         they are fixed; then run: sudo systemctl restart $NAME"
    fi
}

# A short name for the staff's commands (check, screenshots, defaults).
install_command_link() {
    install -d -m 0755 "$DESTDIR/usr/local/bin"
    ln -sfn "$VENV/bin/$NAME" "$DESTDIR/usr/local/bin/$NAME"
}

install_unit() {
    install -d -m 0755 "$DESTDIR$UNIT_DIR"
    install -m 0644 "$SRC/systemd/$UNIT" "$DESTDIR$UNIT_DIR/$UNIT"
    say "installed $UNIT_DIR/$UNIT"
}

install_udev_rules() {
    install -d -m 0755 "$DESTDIR/etc/udev/rules.d"
    install -m 0644 "$SRC/systemd/70-$NAME.rules" "$DESTDIR$RULES"
    say "installed $RULES (the screen's power: HDMI-CEC and the touchscreen's backlight)"
    if [ -z "$DESTDIR" ] && systemd_running && command -v udevadm >/dev/null 2>&1; then
        udevadm control --reload || true
        udevadm trigger --action=add --subsystem-match=backlight --subsystem-match=cec || true
    fi
}

install_modules_load() {
    install -d -m 0755 "$DESTDIR/etc/modules-load.d"
    printf '# The acupressure kiosk: ALSA before the kiosk starts (see scripts/install.sh).\nsnd\n' \
        >"$DESTDIR$MODULES"
    chmod 0644 "$DESTDIR$MODULES"
    say "installed $MODULES (sound's kernel module loaded early, for the spoken guidance)"
}

# Enable like `systemctl enable` does offline: the WantedBy= link.
enable_in_destdir() {
    install -d -m 0755 "$DESTDIR$UNIT_DIR/multi-user.target.wants"
    ln -sfn "$UNIT_DIR/$UNIT" "$DESTDIR$UNIT_DIR/multi-user.target.wants/$UNIT"
    say "enabled $UNIT (link in $UNIT_DIR/multi-user.target.wants)"
}

enable_and_start() {
    if systemd_running; then
        systemctl daemon-reload
        systemctl enable --quiet "$UNIT"
        say "enabled $UNIT; (re)starting it now"
        # Type=notify: this waits until the first frame is up, or fails at once.
        if systemctl restart "$UNIT" && systemctl is-active --quiet "$UNIT"; then
            say "the kiosk is running. Logs: journalctl -u $NAME"
        else
            say "WARNING: the kiosk did not start (it keeps retrying); see: journalctl -u $NAME -b"
        fi
    else
        systemctl enable --quiet "$UNIT"
        say "systemd is not running here (chroot or container build): $UNIT is enabled"
        say "but NOT started; it starts at the next boot."
    fi
}

# Keep a login prompt on tty2, where Ctrl+Alt+F2 leads, as the kiosk holds tty1 (its unit
# conflicts with getty@tty1 only). Debian would start one there when it is first switched to
# (logind's autovt@) with logind's default settings; enabled, it is there from boot whatever
# they are. A getty masked on purpose stays masked. What this enabled, uninstall.sh disables.
enable_getty() {
    if [ -n "$DESTDIR" ]; then
        if [ "$(readlink "$DESTDIR$UNIT_DIR/$GETTY" 2>/dev/null)" = /dev/null ]; then
            state=masked
        elif [ -L "$DESTDIR$UNIT_DIR/getty.target.wants/$GETTY" ]; then
            state=enabled
        else
            state=disabled
        fi
    else
        state=$(systemctl is-enabled "$GETTY" 2>/dev/null) || true
    fi
    case $state in
        masked*)
            say "WARNING: $GETTY is masked: Ctrl+Alt+F2 gives no login prompt (to allow it:"
            say "         sudo systemctl unmask $GETTY && sudo systemctl enable --now $GETTY)"
            return ;;
        enabled*|static|alias|indirect|generated) ;;
        *)
            if [ -n "$DESTDIR" ]; then
                install -d -m 0755 "$DESTDIR$UNIT_DIR/getty.target.wants"
                ln -sfn "$GETTY_TEMPLATE" "$DESTDIR$UNIT_DIR/getty.target.wants/$GETTY"
            else
                systemctl enable --quiet "$GETTY"
            fi
            echo "$GETTY" >>"$DESTDIR$OPT/share/enabled-units" ;;
    esac
    if [ -z "$DESTDIR" ] && systemd_running && ! systemctl start "$GETTY"; then
        say "WARNING: $GETTY did not start: see systemctl status $GETTY"
    fi
    say "a login prompt is on the second console: Ctrl+Alt+F2 at the Pi's keyboard ($GETTY)"
}

# Add the kiosk's kernel command-line words, once each (consoleblank=N is replaced), only to
# a cmdline.txt that exists and is one line, keeping the original once; it stays one line.
boot_settings() {
    cmdline=""
    for candidate in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
        if [ -f "$DESTDIR$candidate" ]; then cmdline=$DESTDIR$candidate; break; fi
    done
    if [ -z "$cmdline" ]; then
        say "no /boot/firmware/cmdline.txt or /boot/cmdline.txt here (not a Raspberry Pi?):"
        say "boot settings not changed"
        return
    fi
    shown=${cmdline#"$DESTDIR"}
    # The Pi reads one line; a carriage return (the file saved on Windows) is dropped.
    lines=$(tr -d '\r' <"$cmdline" | grep -c '[^[:space:]]') || true
    if [ "$lines" != 1 ]; then
        say "WARNING: $shown has $lines lines of text, not one: boot settings not changed"
        say "         (it must be one single line: see docs/staff-guide.md, Troubleshooting)"
        return
    fi
    [ -e "$cmdline.before-$NAME" ] || cp -p "$cmdline" "$cmdline.before-$NAME"
    line=$(tr -d '\r' <"$cmdline" | grep '[^[:space:]]')
    new=""
    for word in $line; do
        case $word in consoleblank=0) new="$new $word" ;; consoleblank=*) ;; *) new="$new $word" ;; esac
    done
    for word in $BOOT_WORDS; do
        case " $new " in *" $word "*) ;; *) new="$new $word" ;; esac
    done
    new=${new# }
    if [ "$new" = "$line" ]; then
        say "boot settings already in $shown"
    else
        printf '%s\n' "$new" >"$cmdline.new"
        mv "$cmdline.new" "$cmdline"
        sync
        say "boot settings added to $shown ($BOOT_WORDS); they apply after a reboot"
        say "(the original is kept as $shown.before-$NAME)"
    fi
}

main() {
    parse_args "$@"
    check_complete
    if [ -n "$DESTDIR" ]; then
        say "writing the files under $DESTDIR only (no packages, user, venv or systemctl)"
        install_share
        install_config
        install_command_link
        install_unit
        install_udev_rules
        install_modules_load
        enable_in_destdir
        enable_getty
        [ "$BOOT_SETTINGS" = no ] || boot_settings
        say "done: $DESTDIR"
        return
    fi
    [ "$(id -u)" = 0 ] || die "run it as root: sudo make install"
    install_debs
    install -d -m 0755 "$OPT"
    install_share
    ensure_user
    install_venv
    install_config
    check_config
    install_command_link
    install_unit
    install_udev_rules
    install_modules_load
    if [ "$BOOT_SETTINGS" = yes ]; then
        boot_settings
    else
        say "boot settings not changed (BOOT_SETTINGS=0): boot messages and a cursor show until"
        say "the kiosk starts (the kiosk itself turns screen blanking off when it starts)"
    fi
    enable_and_start
    enable_getty
    say "done"
}

main "$@"

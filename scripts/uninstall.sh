#!/bin/sh
# Remove the acupressure kiosk service installed by scripts/install.sh.
#
#   sudo make uninstall            keeps the staff config /etc/acupressure-kiosk/config.yaml
#                                  and the usage counts /var/lib/acupressure-kiosk/usage.sqlite3
#   sudo make uninstall PURGE=1    removes those too
#   make uninstall DESTDIR=DIR     removes the files install.sh --destdir wrote under DIR
#
# It stops and disables the unit, removes it (and any `systemctl edit` drop-in) and its udev
# rules (/etc/udev/rules.d/70-acupressure-kiosk.rules) and /etc/modules-load.d entry, the kiosk's
# state in /var/lib/acupressure-kiosk but for the usage counts, the `kiosk` user, /opt/acupressure-kiosk and the
# command link /usr/local/bin/acupressure-kiosk, and gives
# tty1 back to the login prompt. The second console's login prompt (getty@tty2) is disabled
# again if the installer enabled it (it keeps running until the next boot, so a staff member
# logged in there is not thrown out). Debian packages stay (other programs may use them), and so do
# the boot settings (the installer kept the original as cmdline.txt.before-acupressure-kiosk).
# Also installed as /opt/acupressure-kiosk/share/uninstall.sh.
#
# Options: --destdir DIR, --purge, --help.

set -eu

NAME=acupressure-kiosk
UNIT=$NAME.service
KIOSK_USER=kiosk
OPT=/opt/$NAME
ETC=/etc/$NAME
STATE=/var/lib/$NAME
UNIT_DIR=/etc/systemd/system
RULES=/etc/udev/rules.d/70-$NAME.rules
MODULES=/etc/modules-load.d/$NAME.conf

DESTDIR=""
PURGE=no

say() { printf 'uninstall: %s\n' "$*"; }
die() { printf 'uninstall: ERROR: %s\n' "$*" >&2; exit 1; }

parse_args() {
    while [ $# -gt 0 ]; do
        case $1 in
            --destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; DESTDIR=$2; shift ;;
            --destdir=*) DESTDIR=${1#*=} ;;
            --purge) PURGE=yes ;;
            -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
            *) die "unknown option: $1 (see --help)" ;;
        esac
        shift
    done
    if [ -n "$DESTDIR" ]; then
        [ -d "$DESTDIR" ] || die "no such directory: $DESTDIR"
        DESTDIR=$(cd "$DESTDIR" && pwd)
        [ "$DESTDIR" != / ] || die "--destdir / is the real system: run without --destdir"
    fi
}

systemd_running() {
    [ -d /run/systemd/system ] || return 1
    if command -v systemd-detect-virt >/dev/null 2>&1 && systemd-detect-virt --quiet --chroot; then
        return 1
    fi
    return 0
}

remove_unit() {
    if [ -z "$DESTDIR" ] && command -v systemctl >/dev/null 2>&1; then
        if systemd_running; then
            systemctl disable --now --quiet "$UNIT" 2>/dev/null || true
            say "stopped and disabled $UNIT"
        else
            systemctl disable --quiet "$UNIT" 2>/dev/null || true
            say "disabled $UNIT (systemd is not running here)"
        fi
    fi
    rm -f "$DESTDIR$UNIT_DIR/multi-user.target.wants/$UNIT"
    rm -rf "$DESTDIR${UNIT_DIR:?}/${UNIT:?}" "$DESTDIR$UNIT_DIR/$UNIT.d"
    say "removed $UNIT_DIR/$UNIT"
    if [ -z "$DESTDIR" ] && systemd_running; then
        systemctl daemon-reload
        systemctl reset-failed "$UNIT" 2>/dev/null || true
        if systemctl is-enabled --quiet getty@tty1.service 2>/dev/null; then
            systemctl start getty@tty1.service || true
            say "gave tty1 back to the login prompt"
        fi
    fi
}

remove_udev_rules() {
    if [ -e "$DESTDIR$MODULES" ]; then
        rm -f "$DESTDIR$MODULES"
        say "removed $MODULES"
    fi
    [ -e "$DESTDIR$RULES" ] || return 0
    rm -f "$DESTDIR$RULES"
    say "removed $RULES"
    if [ -z "$DESTDIR" ] && systemd_running && command -v udevadm >/dev/null 2>&1; then
        udevadm control --reload || true
    fi
}

# Units the installer enabled (it lists them in $OPT/share/enabled-units): disable, not stop.
disable_enabled_units() {
    list=$DESTDIR$OPT/share/enabled-units
    [ -f "$list" ] || return 0
    while read -r unit; do
        [ -n "$unit" ] || continue
        if [ -n "$DESTDIR" ]; then
            rm -f "$DESTDIR$UNIT_DIR/getty.target.wants/$unit"
        else
            systemctl disable --quiet "$unit" 2>/dev/null || true
        fi
        say "disabled $unit, which the installer had enabled"
    done <"$list"
}

remove_user() {
    [ -z "$DESTDIR" ] || return 0
    if getent passwd "$KIOSK_USER" >/dev/null; then
        userdel "$KIOSK_USER"
        say "removed the user '$KIOSK_USER'"
    fi
    if getent group "$KIOSK_USER" >/dev/null; then
        groupdel "$KIOSK_USER"
    fi
    # Groups the installer had to create (not on Raspberry Pi OS, which has them all).
    if [ -f "$OPT/share/created-groups" ]; then
        while read -r group; do
            members=$(getent group "$group" | cut -d: -f4)
            if [ -n "$group" ] && [ -z "$members" ] && getent group "$group" >/dev/null; then
                groupdel "$group" && say "removed the group '$group' the installer had created"
            fi
        done <"$OPT/share/created-groups"
    fi
}

remove_files() {
    if [ -L "$DESTDIR/usr/local/bin/$NAME" ]; then rm -f "$DESTDIR/usr/local/bin/$NAME"; fi
    rm -rf "$DESTDIR$OPT"
    say "removed $OPT"
    remove_state
    if [ "$PURGE" = yes ]; then
        rm -rf "$DESTDIR$ETC"
        say "removed the staff config $ETC (PURGE)"
    elif [ -e "$DESTDIR$ETC/config.yaml" ]; then
        say "kept the staff config $ETC/config.yaml (remove it too with: sudo make uninstall PURGE=1)"
    fi
}

# The usage counts stay unless PURGE: months of a clinic's figures are not the kiosk's to
# throw away. Everything else in the state folder goes.
remove_state() {
    state=$DESTDIR$STATE
    if [ "$PURGE" = yes ] || ! ls "$state"/usage.sqlite3* >/dev/null 2>&1; then
        rm -rf "$state"
        say "removed $STATE"
        return
    fi
    find "$state" -mindepth 1 -maxdepth 1 ! -name 'usage.sqlite3*' -exec rm -rf {} +
    say "kept the usage counts $STATE/usage.sqlite3 (remove them too with: sudo make uninstall PURGE=1)"
}

note_boot_settings() {
    for cmdline in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
        if [ -e "$DESTDIR$cmdline.before-$NAME" ]; then
            say "the boot settings stay; to undo them: sudo cp $cmdline.before-$NAME $cmdline"
        fi
    done
}

main() {
    parse_args "$@"
    [ -n "$DESTDIR" ] || [ "$(id -u)" = 0 ] || die "run it as root: sudo make uninstall"
    remove_unit
    remove_udev_rules
    disable_enabled_units
    remove_user
    remove_files
    note_boot_settings
    say "done"
}

main "$@"

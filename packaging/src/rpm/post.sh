# %post: as %systemd_post on a systemd host (the preset policy decides whether plightd is enabled); else the init
# script is registered with chkconfig (on at boot in runlevels 2345, started with 'service plightd start').
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -eq 1 ]; then
        systemctl --no-reload preset plightd.service >/dev/null 2>&1 || :
    fi
elif [ -x /sbin/chkconfig ]; then
    /sbin/chkconfig --add plightd
fi
# The CLI's class-data-sharing archive (see bin/plight): made once here so that every later run starts fast.
rm -f /usr/share/plight/lib/plight-cli.jsa /usr/share/plight/lib/plight-cli.jsa.stamp
/usr/share/plight/bin/plight -c /etc/plight/plight.conf list-states >/dev/null 2>&1 || :
exit 0

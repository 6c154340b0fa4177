# %postun: an upgrade restarts a running daemon on the new files (as %systemd_postun_with_restart).
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -ge 1 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl try-restart plightd.service >/dev/null 2>&1 || :
    elif [ -x /etc/rc.d/init.d/plightd ]; then
        /etc/rc.d/init.d/plightd try-restart >/dev/null 2>&1 || :
    fi
fi
exit 0

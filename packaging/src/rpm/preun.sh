# %preun: an erase (not an upgrade) stops and disables the service.
if [ "$1" -eq 0 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl --no-reload disable --now plightd.service >/dev/null 2>&1 || :
    elif [ -x /etc/rc.d/init.d/plightd ]; then
        /etc/rc.d/init.d/plightd stop >/dev/null 2>&1 || :
        [ -x /sbin/chkconfig ] && /sbin/chkconfig --del plightd
    fi
    rm -f /usr/share/plight/lib/plight-cli.jsa /usr/share/plight/lib/plight-cli.jsa.stamp
fi
exit 0

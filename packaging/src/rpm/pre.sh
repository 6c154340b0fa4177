# %pre: the plight user and group, as the original plight's RPM made them.
getent group plight >/dev/null || groupadd -r plight
getent passwd plight >/dev/null || useradd -r -g plight -d /var/lib/plight -s /sbin/nologin -c "plight daemon" plight
exit 0

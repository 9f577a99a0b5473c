#!/usr/bin/env bash
# http-get.sh PORT PATH: GET http://127.0.0.1:PORT/PATH with bash alone (no curl needed) and print the body.
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/$1"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
sed '1,/^\r*$/d' <&3

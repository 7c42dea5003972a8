#!/bin/sh
# The alternative without this project: adnanh/webhook runs this for each request. GET the AppRepository,
# add one to spec.resyncRequests, PUT it back with the resourceVersion it read.
# Arguments: API URL, namespace, name, Authorization header.
set -eu
url="$1/apis/kubeapps.com/v1alpha1/namespaces/$2/apprepositories/$3"
repository=$(curl -sf -H "Authorization: $4" "$url")
printf '%s' "$repository" | jq -c '.spec.resyncRequests = ((.spec.resyncRequests // 0) + 1)' \
  | curl -sf -X PUT -H "Authorization: $4" -H 'Content-Type: application/json' --data-binary @- "$url" > /dev/null

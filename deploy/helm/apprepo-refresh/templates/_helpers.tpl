{{/*
The chart's name, or nameOverride.
*/}}
{{- define "apprepo-refresh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The objects' name: fullnameOverride, else the release name, with the chart's name added when it does not hold it.
Cut at 63 characters, the longest some name fields take.
*/}}
{{- define "apprepo-refresh.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The chart's name and version, for the helm.sh/chart label.
*/}}
{{- define "apprepo-refresh.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The labels of every object.
*/}}
{{- define "apprepo-refresh.labels" -}}
helm.sh/chart: {{ include "apprepo-refresh.chart" . }}
{{ include "apprepo-refresh.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The labels that select the pods: they never change across upgrades, as a Deployment's selector cannot.
*/}}
{{- define "apprepo-refresh.selectorLabels" -}}
app.kubernetes.io/name: {{ include "apprepo-refresh.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The service's own ServiceAccount.
*/}}
{{- define "apprepo-refresh.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "apprepo-refresh.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Whether the chart creates the senders' token Secret: senders.token.create, or when that is null, senders.create.
"true" or empty.
*/}}
{{- define "apprepo-refresh.senderToken" -}}
{{- $create := .Values.senders.token.create }}
{{- if kindIs "invalid" $create }}
{{- $create = .Values.senders.create }}
{{- end }}
{{- if $create }}true{{ end }}
{{- end }}

{{/*
The image: repository@digest when a digest is given, else repository:tag, the tag defaulting to the appVersion.
*/}}
{{- define "apprepo-refresh.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The full name with a suffix: the full name cut first, so that the suffix always stays and two names never meet.
Called with a list: the context and the suffix.
*/}}
{{- define "apprepo-refresh.fullnameWith" -}}
{{- $suffix := index . 1 }}
{{- $base := include "apprepo-refresh.fullname" (index . 0) | trunc (int (sub 62 (len $suffix))) | trimSuffix "-" }}
{{- printf "%s-%s" $base $suffix }}
{{- end }}

{{/*
The service's ClusterRole for receivers, and its RoleBindings' name: cluster-wide, and in namespaces other than the
release's, so the release's namespace is part of it, and releases of one name in two namespaces never meet. RBAC
names are not cut at 63 characters.
*/}}
{{- define "apprepo-refresh.receiversRole" -}}
{{- printf "%s-%s-receivers" .Release.Namespace (include "apprepo-refresh.fullname" .) }}
{{- end }}

{{/*
The ConfigMap (clusters.existingConfigMap) or the chart's Secret (clusters.config) of the clusters file, and its
key, when there is one.
*/}}
{{- define "apprepo-refresh.clustersSource" -}}
{{- if .Values.clusters.existingConfigMap.name }}
{{- .Values.clusters.existingConfigMap.name }}
{{- else if .Values.clusters.config }}
{{- include "apprepo-refresh.fullnameWith" (list . "clusters") }}
{{- end }}
{{- end }}

{{- define "apprepo-refresh.clustersKey" -}}
{{- if .Values.clusters.existingConfigMap.name }}
{{- .Values.clusters.existingConfigMap.key }}
{{- else }}
{{- "clusters.conf" }}
{{- end }}
{{- end }}

{{/*
The Secret and key of the receivers file, when there is one.
*/}}
{{- define "apprepo-refresh.receiversSecret" -}}
{{- if .Values.receivers.existingSecret.name }}
{{- .Values.receivers.existingSecret.name }}
{{- else if .Values.receivers.inline }}
{{- include "apprepo-refresh.fullnameWith" (list . "receivers") }}
{{- end }}
{{- end }}

{{- define "apprepo-refresh.receiversKey" -}}
{{- if .Values.receivers.existingSecret.name }}
{{- .Values.receivers.existingSecret.key }}
{{- else }}
{{- "receivers.yaml" }}
{{- end }}
{{- end }}

{{/*
The namespaces where the service's ServiceAccount refreshes for receivers: receivers.namespaces, and those of the
inline receivers on a cluster where the service refreshes with that ServiceAccount. The service reaches a cluster
whose entry has no apiServiceURL through the pod's own configuration, whatever the entry's name, and with the pod's
token unless the entry has a serviceToken; without a clusters file its one cluster is `default`. A receiver without
a cluster is on the one named `default`. A RoleBinding for a receiver on another cluster would bind in the wrong
one. With clusters.existingConfigMap the chart cannot read the file: receivers.namespaces alone says where. A JSON
list, sorted and without repeats.
*/}}
{{- define "apprepo-refresh.receiverNamespaces" -}}
{{- $local := list }}
{{- if .Values.clusters.config }}
{{- range .Values.clusters.config }}
{{- if and (not .apiServiceURL) (not .serviceToken) }}
{{- $local = append $local .name }}
{{- end }}
{{- end }}
{{- else if not .Values.clusters.existingConfigMap.name }}
{{- $local = list "default" }}
{{- end }}
{{- $namespaces := list }}
{{- range .Values.receivers.namespaces }}
{{- $namespaces = append $namespaces . }}
{{- end }}
{{- range .Values.receivers.inline }}
{{- if has (.cluster | default "default") $local }}
{{- $namespaces = append $namespaces .namespace }}
{{- end }}
{{- end }}
{{- $namespaces | uniq | sortAlpha | toJson }}
{{- end }}

{{/*
Values that the schema cannot refuse with a message of its own: two sources of one file, rights for the
namespace's default ServiceAccount, an autoscaler's bounds.
*/}}
{{- define "apprepo-refresh.validateValues" -}}
{{- if and .Values.clusters.existingConfigMap.name .Values.clusters.config }}
{{- fail "clusters: set either clusters.config (the chart creates the Secret) or clusters.existingConfigMap.name (a ConfigMap of yours, Kubeapps' own), not both" }}
{{- end }}
{{- if and .Values.receivers.existingSecret.name .Values.receivers.inline }}
{{- fail "receivers: set either receivers.inline (the chart creates the Secret) or receivers.existingSecret.name (a Secret of yours), not both" }}
{{- end }}
{{- if and .Values.rbac.create (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) (include "apprepo-refresh.receiverNamespaces" . | fromJsonArray) }}
{{- fail "serviceAccount: receivers get rights bound to the service's ServiceAccount: with serviceAccount.create=false, give its name in serviceAccount.name; the pods would run as the namespace's default ServiceAccount, and every pod that runs as it would get those rights" }}
{{- end }}
{{- if and (has (toString .Values.rollingUpdate.maxSurge) (list "0" "0%")) (has (toString .Values.rollingUpdate.maxUnavailable) (list "0" "0%")) }}
{{- fail "rollingUpdate: maxSurge and maxUnavailable cannot both be 0: a rollout could then never start a new pod" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "autoscaling: maxReplicas must be at least minReplicas" }}
{{- end }}
{{- end }}

//! The pictures' words (cluster map, inspector, service picture) in
//! English and Korean, kept beside them. kubectl's own output (describe, logs, scheduler messages,
//! plugin names) is never translated.

use crate::i18n::Lang;

/// Every phrase of the map, the inspector and the explainer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Describe,
    Logs,
    Scheduling,
    Close,
    Cpu,
    Memory,
    Requests,
    Usage,
    ShareOfAllocatable,
    NoMetrics,
    Taints,
    BarePods,
    Nodes,
    Pods,
    HeatLegend,
    Decision,
    Node,
    Verdict,
    Total,
    Chosen,
    FilteredBy,
    OnlyFeasible,
    NotListed,
    NoTrace,
    NotTried,
    StillPending,
    Attempt,
    Weight,
    Inspector,
    Timeline,
    WorkloadTimeline,
    Waiting,
    Running,
    Completed,
    Failed,
    Ready,
    Terminating,
    Restarts,
    NoTimeline,
    Phase,
    Events,
    Services,
    NoServices,
    NoEndpoints,
    NotReady,
    LoadBalancer,
    ProxyRuns,
    ProxyStopped,
    LastRequest,
}

/// `text` in `lang`.
pub fn tx(lang: Lang, text: Text) -> &'static str {
    use Text::*;
    match lang {
        Lang::En => match text {
            Describe => "Describe",
            Logs => "Logs",
            Scheduling => "Scheduling",
            Close => "Close",
            Cpu => "CPU",
            Memory => "Memory",
            Requests => "requested",
            Usage => "used",
            ShareOfAllocatable => "(share of the node's allocatable; used as kubectl top node reports it)",
            NoMetrics => "no metrics yet",
            Taints => "Taints",
            BarePods => "Bare pods",
            Nodes => "nodes",
            Pods => "pods",
            HeatLegend => {
                "Each cell is a node: the more of its CPU is requested, the stronger its colour; \
                 red is NotReady, an outline is cordoned (SchedulingDisabled)"
            }
            Decision => "How the scheduler chose",
            Node => "Node",
            Verdict => "Verdict",
            Total => "Total",
            Chosen => "chosen",
            FilteredBy => "filtered out by",
            OnlyFeasible => "The only node that fit: nothing needed scoring.",
            NotListed => "Nodes the scheduler did not need to look at are not listed.",
            NoTrace => {
                "The scheduler keeps no record of this pod: it was placed without the scheduler \
                 (a static pod, or spec.nodeName set), or its record was dropped for newer ones."
            }
            NotTried => "The scheduler has not tried this pod yet: it is still in the scheduling queue.",
            StillPending => "Still Pending",
            Attempt => "Attempt",
            Weight => "weight",
            Inspector => "Details",
            Timeline => "Timeline",
            WorkloadTimeline => "Workload",
            Waiting => "waiting",
            Running => "running",
            Completed => "exited 0",
            Failed => "exited with an error",
            Ready => "Ready",
            Terminating => "Terminating",
            Restarts => "restarts",
            NoTimeline => "No timeline was recorded for this pod.",
            Phase => "phase",
            Events => "Events",
            Services => "Services",
            NoServices => "No Services in this namespace yet. Expose a Deployment and watch requests reach its pods:",
            NoEndpoints => "no endpoints: the selector matches no ready pod",
            NotReady => "not ready",
            LoadBalancer => "load balancer",
            ProxyRuns => "kube-proxy runs",
            ProxyStopped => "kube-proxy stopped",
            LastRequest => "last request",
        },
        Lang::Ko => match text {
            Describe => "상세 정보",
            Logs => "로그",
            Scheduling => "스케줄링",
            Close => "닫기",
            Cpu => "CPU",
            Memory => "메모리",
            Requests => "요청",
            Usage => "사용",
            ShareOfAllocatable => "(노드의 할당 가능량 대비 비율, 사용량은 kubectl top node 기준)",
            NoMetrics => "메트릭 없음",
            Taints => "테인트",
            BarePods => "단독 파드",
            Nodes => "노드",
            Pods => "파드",
            HeatLegend => {
                "칸 하나가 노드 하나입니다. CPU 요청 비율이 높을수록 색이 진하고, \
                 빨간 칸은 NotReady, 테두리만 있는 칸은 cordon된 노드(SchedulingDisabled)입니다"
            }
            Decision => "스케줄러가 고른 과정",
            Node => "노드",
            Verdict => "판정",
            Total => "합계",
            Chosen => "선택됨",
            FilteredBy => "제외한 플러그인",
            OnlyFeasible => "배치 가능한 노드가 하나뿐이라 점수를 매기지 않았습니다.",
            NotListed => "스케줄러가 살펴볼 필요가 없었던 노드는 목록에 없습니다.",
            NoTrace => {
                "스케줄러에 이 파드의 기록이 없습니다. 스케줄러를 거치지 않고 배치되었거나 \
                 (정적 파드, spec.nodeName 지정) 더 새로운 기록에 밀려 지워졌습니다."
            }
            NotTried => "스케줄러가 아직 이 파드를 시도하지 않았습니다. 스케줄링 큐에서 기다리는 중입니다.",
            StillPending => "아직 Pending",
            Attempt => "시도",
            Weight => "가중치",
            Inspector => "자세히",
            Timeline => "타임라인",
            WorkloadTimeline => "워크로드",
            Waiting => "대기",
            Running => "실행 중",
            Completed => "정상 종료(0)",
            Failed => "오류로 종료",
            Ready => "Ready",
            Terminating => "Terminating",
            Restarts => "재시작",
            NoTimeline => "이 파드의 타임라인 기록이 없습니다.",
            Phase => "단계",
            Events => "이벤트",
            Services => "서비스",
            NoServices => {
                "이 네임스페이스에는 아직 서비스가 없습니다. 디플로이먼트를 노출하고 요청이 파드에 닿는 모습을 보세요:"
            }
            NoEndpoints => "엔드포인트 없음: 셀렉터에 맞는 준비된 파드가 없습니다",
            NotReady => "준비 안 됨",
            LoadBalancer => "로드밸런서",
            ProxyRuns => "kube-proxy 동작 중",
            ProxyStopped => "kube-proxy 멈춤",
            LastRequest => "마지막 요청",
        },
    }
}

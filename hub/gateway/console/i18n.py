"""The console's words in both languages; a page asks for a key, never for a sentence.

The language comes from ``?lang=zh|en`` (remembered in a cookie), else the browser's
Accept-Language, else Chinese, the language of the bureaus the console is for.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("zh", "en")
COOKIE = "linkage_lang"

TEXTS: dict[str, tuple[str, str]] = {
    # key: (Chinese, English)
    "app": ("联动 · 应急数据共享枢纽", "Linkage · emergency data-sharing hub"),
    "console": ("控制台", "Console"),
    "signin": ("登录", "Sign in"),
    "signout": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "signin.failed": (
        "用户名或密码错误，或账户已锁定。",
        "Wrong username or password, or the account is locked.",
    ),
    "signin.expired": ("表单已过期，请重新登录。", "The form expired; please sign in again."),
    "nav.home": ("概览", "Overview"),
    "nav.log": ("访问日志", "Access log"),
    "nav.denials": ("拒绝记录", "Denials"),
    "nav.chain": ("链状态", "Chain status"),
    "nav.reviews": ("紧急访问复核", "Emergency reviews"),
    "nav.sharing": ("共享矩阵", "Sharing matrix"),
    "role.auditor": ("审计员", "Auditor"),
    "role.duty-officer": ("值班员", "Duty officer"),
    "filter": ("筛选", "Filter"),
    "clear": ("清除", "Clear"),
    "export.csv": ("导出 CSV", "Export CSV"),
    "export.jsonl": ("导出 JSON Lines", "Export JSON Lines"),
    "next": ("下一页", "Next page"),
    "none": ("无", "None"),
    "col.seq": ("序号", "Seq"),
    "col.at": ("时间", "Time"),
    "col.client": ("客户端", "Client"),
    "col.agency": ("部门", "Agency"),
    "col.action": ("操作", "Action"),
    "col.stream": ("数据流", "Stream"),
    "col.decision": ("决定", "Decision"),
    "col.reason": ("理由", "Reason"),
    "col.records": ("记录数", "Records"),
    "col.status": ("状态", "Status"),
    "col.purpose": ("用途", "Purpose"),
    "col.emergency": ("紧急事件", "Emergency"),
    "col.count": ("次数", "Count"),
    "col.requests": ("请求", "Requests"),
    "col.denied": ("被拒", "Denied"),
    "decision.allow": ("允许", "allow"),
    "decision.deny": ("拒绝", "deny"),
    "since": ("起", "From"),
    "until": ("止", "Until"),
    "home.title": ("概览", "Overview"),
    "home.rows": ("审计记录", "Audit rows"),
    "home.open_reviews": ("待复核的紧急访问", "Emergency reads awaiting review"),
    "home.denials_24h": ("过去 24 小时的拒绝", "Denials in the last 24 hours"),
    "home.chain": ("审计链", "Audit chain"),
    "chain.title": ("审计链状态", "Audit chain status"),
    "chain.ok": ("完好", "intact"),
    "chain.bad": ("已损坏", "BROKEN"),
    "chain.rows": ("记录总数", "Rows"),
    "chain.verified": ("已核验至", "Checked up to"),
    "chain.first_bad": ("首个异常序号", "First bad seq"),
    "chain.checkpoint": ("最新签名检查点", "Latest signed checkpoint"),
    "chain.full": ("最近一次完整核验", "Last full check"),
    "chain.verify": ("立即完整核验", "Check everything now"),
    "chain.started": (
        "完整核验已开始，稍后刷新查看结果。",
        "A full check has started; reload to see its outcome.",
    ),
    "chain.full.not-run": ("尚未进行", "not run yet"),
    "chain.full.running": ("进行中", "running"),
    "chain.full.ok": ("完好", "intact"),
    "chain.full.broken": ("发现异常", "BROKEN"),
    "chain.full.failed": ("无法进行", "could not run"),
    "key.current": ("当前", "current"),
    "key.retired": ("已停用", "retired"),
    "chain.witnesses": ("见证方", "Witnesses"),
    "chain.witness_size": ("已确认的树大小", "Tree size confirmed"),
    "chain.last_seen": ("最近一次", "Last seen"),
    "chain.keys": ("签名公钥", "Signing keys"),
    "reviews.title": ("紧急访问复核", "Reviews of emergency reads"),
    "reviews.open": ("待复核", "Open"),
    "reviews.closed": ("已复核", "Closed"),
    "reviews.verdict": ("结论", "Verdict"),
    "reviews.justified": ("合理", "justified"),
    "reviews.unjustified": ("不合理", "unjustified"),
    "reviews.comment": ("说明", "Comment"),
    "reviews.judge": ("提交结论", "Record verdict"),
    "reviews.reviewer": ("复核人", "Reviewer"),
    "reviews.done": ("结论已记录。", "The verdict is recorded."),
    "sharing.title": ("部门间数据共享", "Sharing between agencies"),
    "sharing.reader": ("读取方 \\ 数据所有方", "Reader \\ owner"),
    "sharing.explain": (
        "每格：读取的记录数（请求次数，被拒次数）。",
        "Each cell: records read (requests, denials).",
    ),
    "sharing.period": ("统计时段", "Period"),
    "sharing.volume": ("各部门读取量", "Records read by each agency"),
    "nav.incidents": ("突发事件", "Incidents"),
    "nav.coordination": ("协同报告", "Coordination"),
    "exercise": ("演练", "exercise"),
    "severity": ("级别", "Level"),
    "met": ("达标", "met"),
    "missed": ("未达标", "missed"),
    "category.NATURAL_DISASTER": ("自然灾害", "Natural disaster"),
    "category.ACCIDENT_DISASTER": ("事故灾难", "Accident or disaster"),
    "category.PUBLIC_HEALTH": ("公共卫生事件", "Public health event"),
    "category.SOCIAL_SECURITY": ("社会安全事件", "Social security event"),
    # A routine event (an observation, a capacity or stock count) describes no emergency.
    "category.none": ("未分类", "Unclassified"),
    "incidents.title": ("突发事件", "Incidents"),
    "incidents.explain": (
        "归档事件中带有事件编号的突发事件，最新的在前。",
        "Incidents named by archived events' incident id, latest first.",
    ),
    "incidents.id": ("事件编号", "Incident"),
    "incidents.category": ("类别", "Category"),
    "incidents.first": ("首次发布", "First published"),
    "incidents.last": ("最近发布", "Last published"),
    "incidents.events": ("事件数", "Events"),
    "incidents.agencies": ("发布部门数", "Publishing agencies"),
    "incident.title": ("突发事件", "Incident"),
    "incident.publishers": ("发布部门", "Published by"),
    "incident.overall": ("总体", "Overall"),
    "incident.published": ("发布", "published"),
    "incident.received": ("已接收", "received"),
    "incident.acknowledged": ("已确认", "acknowledged"),
    "incident.timeline": ("各部门时间线", "Each agency's timeline"),
    "incident.events": ("各事件的接收与确认", "Receipt and acknowledgement of each event"),
    "incident.explain": (
        "已接收：枢纽首次向该部门提供此事件的时间；其后为该部门的确认（已收到、处置中、已办结）。"
        "“+”为距发布的时长。",
        "Received: when the hub first served the event to the agency; then the agency's own "
        'acknowledgements (received, acting, done). "+" is the time since publication.',
    ),
    "incident.receiver": ("接收部门", "Receiving agency"),
    "incident.unexpected": ("经紧急授权", "through an emergency grant"),
    "incident.not_yet": ("尚未接收", "not yet"),
    "incident.no_receivers": ("没有接收部门", "No agency receives this stream"),
    "ack.received": ("确认收到", "Acknowledged received"),
    "ack.acting": ("处置中", "Acting"),
    "ack.done": ("已办结", "Done"),
    "coordination.title": ("协同报告", "Coordination report"),
    "coordination.explain": (
        "每对部门：从发布到首次接收、到确认的中位数与第 90 百分位，对照 policies/ 中的时限。纳入统计的数据流：",
        "Per agency pair: median and 90th percentile from publication to first receipt and to "
        "acknowledgement, against the targets in policies/. Streams measured:",
    ),
    "coordination.truncated": (
        "该时段事件过多，只统计了前 20,000 个；请缩短时段。",
        "The period holds too many events; only the first 20,000 are counted. Shorten it.",
    ),
    "coordination.real": ("实际事件", "Real events"),
    "coordination.exercises": ("演练（单独统计）", "Exercises (counted apart)"),
    "coordination.chart": (
        "确认用时第 90 百分位（秒），最慢的部门对",
        "90th percentile seconds to acknowledgement, slowest pairs",
    ),
    "coordination.publisher": ("发布部门", "Publisher"),
    "coordination.reader": ("接收部门", "Receiver"),
    "coordination.deliveries": ("应接收", "Deliveries"),
    "coordination.read": ("已接收", "Received"),
    "coordination.read_median": ("接收中位数", "Median to receipt"),
    "coordination.read_p90": ("接收 P90", "p90 to receipt"),
    "coordination.acked": ("已确认", "Acknowledged"),
    "coordination.ack_median": ("确认中位数", "Median to ack"),
    "coordination.ack_p90": ("确认 P90", "p90 to ack"),
    "coordination.target": ("时限", "Target"),
    "coordination.unacked": ("从未确认", "Never acknowledged"),
    "coordination.overdue": ("已超时", "overdue"),
    "assessment.title": ("事后评估", "Post-incident assessment"),
    "assessment.chart": (
        "确认用时中位数（秒）：本事件（*）与此前同类事件",
        "Median seconds to acknowledgement: this incident (*) and earlier ones of its kind",
    ),
    "assessment.window": ("评估时段", "Window"),
    "assessment.published": ("谁在何时发布了什么", "Who published what, and when"),
    "assessment.kind": ("内容", "What"),
    "assessment.readers": ("谁接收并确认、用时多久", "Who received and acknowledged, how fast"),
    "assessment.all": ("全部", "All"),
    "assessment.denied": ("被拒绝的请求", "Refused requests"),
    "assessment.emergency": ("紧急授权开放的访问", "Access opened by the emergency"),
    "assessment.unreviewed": ("尚未复核", "not reviewed yet"),
    "assessment.earlier": (
        "与此前同类事件比较",
        "Compared with earlier incidents of the same category",
    ),
    "assessment.earlier_explain": (
        "同一类别、更早开始的事件；演练只与演练比较。",
        "Incidents of the same category that began earlier; exercises are compared only with exercises.",
    ),
    "assessment.no_earlier": ("没有更早的同类事件", "No earlier incident of this category"),
    "denials.title": ("拒绝记录", "Denied requests"),
    "denials.by_reason": ("按理由", "By reason"),
    "denials.by_agency": ("按部门", "By agency"),
    "error.title": ("出错了", "Something is wrong"),
    "error.back": ("返回概览", "Back to the overview"),
}


def pick(accept_language: str | None, chosen: str | None) -> str:
    if chosen in LANGUAGES:
        return chosen
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("en"):
            return "en"
        if code.startswith("zh"):
            return "zh"
    return "zh"


def translator(language: str) -> Callable[[str], str]:
    index = LANGUAGES.index(language)

    def t(key: str) -> str:
        found = TEXTS.get(key)
        return found[index] if found else key

    return t

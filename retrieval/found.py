"""Is the question about something the paper says at all? The features of the
found / not-found decision, computed once the best article and its best sentence are
known, and read by a logistic model (`AnswerModel.found_probability`).

Small talk (你好, 讲个笑话), everyday questions (北京到上海多远) and look-alike questions
about things no article states share a profile: few of their content words are in the
article or in one sentence, their BM25 score is a small share of what their words could
score, no span of the asked type stands in the best sentence. The weights are learned
(benchmarks/fit_answer_model.py) on the training sets' answerable and unanswerable rows.
"""

from __future__ import annotations

import math
import re

# the question is about the present moment (今天天气, 现在几点): an archive of articles does not say
NOW = re.compile(r"今天|今晚|明天|现在|此刻|几点了|星期几|周几")
# a question about the bot itself (你是真人还是机器人, 你叫什么, 你几岁了): no article is asked;
# not one that asks the bot about the paper (你知道…吗, 你能告诉我…)
ABOUT_THE_BOT = re.compile(r"^(?:请问)?(?:你|您)(?:是|叫|会|好|多大|几岁|喜欢|吃|住|今年|属|哪里人)")
# a task asked of the bot (给我讲个故事, 推荐一部电影, 帮我写个请假条, 帮我查下高铁票): the
# paper reports, it tells no stories and writes nothing for anybody
REQUEST_TO_THE_BOT = re.compile(
    r"^(?:请|麻烦)?(?:你)?(?:给我|帮我|替我|陪我|跟我)(?:讲|说|写|想|查|推荐|算|翻|聊|唱|画|找|订|编)"
    r"|(?:讲|说)个(?:故事|笑话|段子)|^(?:请|麻烦)?(?:你)?(?:给|帮)?推荐(?:一|几)?(?:部|个|本|首)(?!人)"
    r"|好看的|好玩|好吃的"  # 什么电视剧好看, 哪个公园最好玩: a recommendation, asked of the bot
    r"|怎么办[？?呀啊呢吧]*$"  # 手机没电了怎么办: advice on an everyday trouble (none of the sets' such questions is the paper's)
    r"|^(?:请问)?怎么办(?!理)|(?:怎么|如何|咋|去哪)办理?[\u4e00-\u9fff]{0,4}(?:卡|证|照|手续)"  # 怎么办社保卡, 怎么办理护照: an errand
    # advice asked for (吃点啥好, 去哪玩比较好, 做个啥硬菜好, 给点建议, 有啥值得买的); not a
    # thing being finished (啥时候能建好, 按摩椅啥时候装好)
    r"|(?:啥|什么|哪儿?|哪里)[\u4e00-\u9fff]{0,4}(?<![建装办修弄做搞定写开备])(?:比较)?好[呀啊呢吧]*[？?]*$"
    r"|给(?:点|个|些|我)?(?:建议|推荐|意见)|值得(?:买|看|去|吃)"
    # thanks and acknowledgements (好的谢谢你, 谢谢啦, 收到): nothing is asked
    r"|^(?:好的|好吧|嗯嗯?|哦|谢谢|多谢|感谢|辛苦了?|明白了?|知道了|收到|了解了?|ok)(?:你|您|啦|了|哈|呀|啊)?[，,。！!\s]*"
    r"(?:谢谢|多谢|感谢)?(?:你|您|啦|了|哈|呀|啊)?[。！!～~]*$"
)
# the day of asking (今天天气, 明天下雨吗, 今晚几点收车): an archive of what has happened does not
# know it (52 such questions across the question sets, none the paper answers); 现在 is not
# among them (现在有多少个驿站 asks the paper's latest figure)
DAY_OF_ASKING = re.compile(r"今天|明天|今晚|后天|明早|明晚|今儿|明儿|几点了|几号了|现在几点(?![到至])")
# the member's own everyday matters, which no article reports: where they are asking from
# (附近哪有修自行车的, 离我最近的银行; not 朝阳附近的站点), the weather (北京冬天最冷多少度, 天气咋样), an errand
# with their own papers (医保卡丢了咋补办, 社保卡里的钱在哪能查, 去医院挂号要带啥); not a
# paper's service that hands papers out (证照代办一个居住证要交多少手续费)
EVERYDAY = re.compile(
    r"^(?:请问)?附近|(?:我|我家|我们|咱|这儿?)附近|附近(?:哪|有没有|有什么|有啥)|离我(?:最)?近|我(?:家|这儿?|们这儿?)(?:周边|旁边|楼下)"
    r"|(?:天气|气温)(?:怎么样|咋样|如何|好不好|好吗)|(?:冬天|夏天|最冷|最热)[\u4e00-\u9fff]{0,6}?(?:多少度|几度)"
    r"|(?:医保卡|社保卡|身份证|护照|驾照|驾驶证|银行卡|公交卡|户口本?|居住证|通行证|电话卡)[\u4e00-\u9fff]{0,6}?"
    r"(?:怎么|咋|如何|去哪儿?|在哪儿?|哪里)(?:能|可以|才能)?(?:补办|办理?|补|换|挂失|重置|查|申请|领|改)"
    r"|(?:挂号|看病|办事)要带(?:什么|啥)"
)
# arithmetic (一加一等于几, 3×5是多少): no article is asked, whatever words it shares with one
_NUMERAL = r"[\d一二三四五六七八九十百千万两零.]+"
ARITHMETIC = re.compile(rf"{_NUMERAL}\s*(?:加上?|减去?|乘以?|除以|[+\-*/×÷])\s*{_NUMERAL}\s*(?:等于|是|=)")

FOUND_FEATURES: tuple[str, ...] = (
    "article_coverage",  # the question's weight in the best article
    "sentence_coverage",  # … in its best sentence (with synonyms and neighbours)
    "known_share",  # share of the question's content words that some article has
    "unknown_name",  # the question names a person, place or organisation no article has
    "bm25_share",  # the best BM25 score over the most the question's words could score
    "margin",  # the best article's reranking lead over the second
    "typed_span",  # a span of the asked type stands in the best sentence
    "words",  # how many content words the question has (log)
    "kind_other",  # the question asks no specific type (怎么样, 什么)
    "entities_agree",  # the article names the districts and organisations the question names
    "specificity",  # the rarest content word the article has: its idf over the largest possible
    "now",  # the question asks about the present moment (今天, 现在, 明天)
    "content_chars",  # how many characters its content words have (log): small talk has few
    "affinity",  # how much more the paper uses its content words than everyday Chinese does (their mean)
    "telling",  # … its most telling content word (the most)
)
AFFINITY_SCALE = 6.0  # natural-log units: a word 400 times more frequent in the paper reads as 1


def found_features(
    *,
    article_coverage: float,
    sentence_coverage: float,
    known: int,
    words: int,
    unknown_name: bool,
    bm25: float,
    bm25_max: float,
    margin: float,
    typed_span: bool,
    kind_other: bool,
    entities_agree: bool,
    specificity: float,
    question: str,
    content_chars: int,
    affinity: float,
    telling: float,
) -> dict[str, float]:
    """The decision's features, each scaled to about 0-1."""
    return {
        "article_coverage": article_coverage,
        "sentence_coverage": min(1.0, sentence_coverage),
        "known_share": known / words if words else 0.0,
        "unknown_name": float(unknown_name),
        "bm25_share": min(1.0, bm25 / bm25_max) if bm25_max > 0 else 0.0,
        "margin": max(0.0, min(1.0, margin)),
        "typed_span": float(typed_span),
        "words": math.log1p(words) / math.log1p(12),
        "kind_other": float(kind_other),
        "entities_agree": float(entities_agree),
        "specificity": max(0.0, min(1.0, specificity)),
        "now": float(NOW.search(question) is not None),
        "content_chars": math.log1p(content_chars) / math.log1p(24),
        "affinity": max(-1.0, min(1.0, affinity / AFFINITY_SCALE)),
        "telling": max(-1.0, min(1.0, telling / AFFINITY_SCALE)),
    }

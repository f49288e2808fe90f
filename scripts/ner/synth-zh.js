// Synthetic Chinese training sentences for the NER model, in traditional and simplified script,
// written by us and filled with fake names from @faker-js/faker (zh_TW, zh_CN; MIT) and our own
// lists of places, transliterated foreign names and organisation patterns. Chinese is written
// without spaces, so the tagger reads it one character at a time (tokenize.ts); these sentences
// teach it where names, places and organisations start and stop in running text, next to the
// Universal NER Chinese-GSD annotations. Offsets are UTF-16, spans carry PERSON / LOCATION / ORG.
import { fakerZH_CN, fakerZH_TW } from '@faker-js/faker';
import { mulberry32, pick } from './random.js';

const PLACES = `北京 上海 廣州 深圳 天津 重慶 南京 杭州 武漢 成都 西安 瀋陽 蘇州 青島 廈門 大連 昆明 哈爾濱 長沙 福州 臺北 高雄 臺中 臺南 新竹
香港 澳門 九龍 東京 大阪 京都 橫濱 首爾 釜山 平壤 河內 曼谷 新加坡 吉隆坡 雅加達 馬尼拉 新德里 孟買 德黑蘭 伊斯坦堡 開羅 倫敦 巴黎 柏林 慕尼黑
羅馬 米蘭 馬德里 巴塞隆納 里斯本 阿姆斯特丹 布魯塞爾 維也納 布拉格 華沙 斯德哥爾摩 哥本哈根 赫爾辛基 莫斯科 聖彼得堡 基輔 雅典 紐約 華盛頓 洛杉磯 芝加哥
舊金山 波士頓 西雅圖 多倫多 溫哥華 蒙特婁 墨西哥城 里約熱內盧 布宜諾斯艾利斯 雪梨 墨爾本 奧克蘭 約翰尼斯堡 美國 英國 法國 德國 日本 中國 俄羅斯 加拿大
澳洲 義大利 西班牙 葡萄牙 荷蘭 比利時 瑞士 瑞典 挪威 丹麥 芬蘭 波蘭 印度 巴西 墨西哥 阿根廷 埃及 南非 韓國 越南 泰國 馬來西亞 印尼 菲律賓 土耳其
伊朗 以色列 希臘 奧地利 匈牙利 捷克 烏克蘭 蒙古 臺灣 廣東 福建 浙江 江蘇 四川 湖南 湖北 山東 河南 河北 雲南 貴州 遼寧 吉林 新疆 西藏 內蒙古 長江 黃河
珠江 太平洋 大西洋 喜馬拉雅山 阿爾卑斯山 歐洲 亞洲 非洲 北美洲 南美洲 加州 德州 佛羅里達 巴伐利亞 蘇格蘭 威爾斯 北海道 沖繩 臺東 花蓮 宜蘭 基隆`.split(/\s+/);

const FOREIGN_GIVEN = `約翰 瑪麗 威廉 詹姆斯 喬治 大衛 彼得 伊麗莎白 安娜 查爾斯 亨利 路易 保羅 馬克 湯瑪斯 愛德華 理查 羅伯特 麥可 克里斯多福 約瑟夫 法蘭克
艾倫 凱瑟琳 蘇珊 珍妮 艾蜜莉 蘿拉 海倫 瑪格麗特 卡爾 漢斯 弗里德里希 伊凡 尼古拉 亞歷山大 弗拉基米爾 皮埃爾 讓 米歇爾 朱塞佩 胡安 卡洛斯 佩德羅 穆罕默德 阿里`.split(/\s+/);
const FOREIGN_FAMILY = `史密斯 布朗 約翰遜 威爾遜 泰勒 安德森 傑克遜 懷特 哈里斯 馬丁 湯普森 羅賓遜 克拉克 劉易斯 沃克 霍爾 艾倫 楊 金 賴特 斯科特 格林 貝克 亞當斯
米勒 戴維斯 加西亞 羅德里格斯 馬丁內斯 費雪 施密特 舒爾茨 韋伯 貝克爾 霍夫曼 伊萬諾夫 彼得羅夫 杜邦 勒梅爾 羅西 費拉里 岡薩雷斯 佩雷斯 桑切斯`.split(/\s+/);

const ORG_PATTERNS = [
  (p) => `${p}大學`, (p) => `國立${p}大學`, (p) => `${p}醫院`, (p) => `${p}市立醫院`, (p) => `${p}銀行`, (p) => `${p}航空`, (p) => `${p}電視臺`,
  (p) => `${p}日報`, (p) => `${p}市政府`, (p) => `${p}博物館`, (p) => `${p}足球俱樂部`, (p) => `${p}科技公司`, (p) => `${p}證券交易所`, (p) => `${p}大學附屬醫院`,
];
const FIXED_ORGS = `聯合國 世界衛生組織 歐洲聯盟 北約 國際奧林匹克委員會 中國共產黨 國民黨 民進黨 微軟 蘋果公司 谷歌 豐田 三星 索尼 騰訊 阿里巴巴 華為 台積電
鴻海 中華航空 長榮航空 新華社 中央社 路透社 美聯社 英國廣播公司 哈佛大學 牛津大學 劍橋大學 北京大學 清華大學 臺灣大學 香港大學 國際貨幣基金組織 世界銀行
聯邦調查局 中央情報局 美國國家航空暨太空總署 紅十字會 皇家海軍 解放軍 日本放送協會 大英博物館 故宮博物院`.split(/\s+/);
const COMPANY_SUFFIXES = ['股份有限公司', '有限公司', '集團', '科技', '實業', '控股', '企業'];
const OCCUPATIONS = ['政治家', '作家', '演員', '歌手', '科學家', '律師', '醫生', '企業家', '畫家', '導演', '記者', '教師', '運動員', '工程師', '外交官'];
const ROLES = ['董事長', '總經理', '執行長', '院長', '教授', '主任', '發言人', '總裁', '部長', '市長', '校長', '主席'];

/** Neutral sentences with no entity, so the tagger learns that most characters are O. */
const NEGATIVES = `同樣，施力的大小不同，引起的加速度不同，最終的結果也不一樣。
這種車輛如果歸私人擁有，多半會設置昂貴的音頻設備。
動作冒險遊戲是冒險遊戲的分支，它融合了動作遊戲的一些特徵。
其測試包含了美術治療法和認知行為治療。
這個問題可以從向量的加成性來看。
大多數的植物需要陽光和水才能生長。
該理論在二十世紀初期受到廣泛的批評。
他花費了許多時間來比較不同的化石。
請在下週一之前把報告交給我。
今天天氣很好，我們去公園散步吧。
這本書的第三章討論了經濟政策的影響。
會議將在下午三點開始，請準時出席。
新版本修正了多個錯誤並提升了效能。
請幫我把這段文字翻譯成英文。
該物種主要分佈在溫暖潮濕的地區。`.split('\n');

const TO_SIMPLIFIED = Object.fromEntries(
  [...'於於擔會總據報導達創畢業親這種車輛歸擁設貴備醫學國銀電臺證券屬俱樂為與後時說們來個發長統選區縣舉辦門間對東蘭羅亞爾維灣傑遜麗約廣慶瀋陽漢紐磯馬倫蘇烏臘奧韓鮮賓衛喬湯瑪達領佔職經濟議員記師週訪問談參觀聯衛組織歐盟協運動導演畫實業團黨華鴻榮聞劍橋調查員紅軍宮廈濱內雲貴遼華頓舊溫婁熱盧爾墨義葡萄荷蘭時挪麥芬蘭印臺灣蒙龍澳橫釜開歷夫費勒韋萬諾彼羅薩雷貝霍艾楊賴格內蜜蘿凱瑟蘇珊漢弗裡讓歇塞滌'].map(
    (traditional, index) => [traditional, [...'于于担会总据报导达创毕业亲这种车辆归拥设贵备医学国银电台证券属俱乐为与后时说们来个发长统选区县举办门间对东兰罗亚尔维湾杰逊丽约广庆沈阳汉纽矶马伦苏乌腊奥韩鲜宾卫乔汤玛达领占职经济议员记师周访问谈参观联卫组织欧盟协运动导演画实业团党华鸿荣闻剑桥调查员红军宫厦滨内云贵辽华顿旧温娄热卢尔墨义葡萄荷兰时挪麦芬兰印台湾蒙龙澳横釜开历夫费勒韦万诺彼罗萨雷贝霍艾杨赖格内蜜萝凯瑟苏珊汉弗里让歇塞涤'][index]],
  ),
);
const simplify = (text) => [...text].map((char) => TO_SIMPLIFIED[char] ?? char).join('');


/** A text under construction; `simplified` turns the frame text and our own lists into simplified script. */
class Builder {
  constructor(simplified) {
    this.simplified = simplified;
    this.text = '';
    this.spans = [];
  }
  lit(s) {
    this.text += this.simplified ? simplify(s) : s;
    return this;
  }
  ent(s, label) {
    const value = this.simplified ? simplify(s) : s;
    const start = this.text.length;
    this.text += value;
    this.spans.push({ start, end: this.text.length, label });
    return this;
  }
}

/** Chinese synthetic records: `count` of them, half in simplified script. */
export function generateChineseSynthetic(count, seed = 11) {
  const rng = mulberry32(seed);
  const out = [];
  for (let n = 0; n < count; n++) {
    const simplified = rng() < 0.5;
    const faker = simplified ? fakerZH_CN : fakerZH_TW;
    faker.seed(Math.floor(rng() * 1e9));
    const chinesePerson = () => `${faker.person.lastName()}${faker.person.firstName()}`;
    const foreignPerson = () => (rng() < 0.5 ? pick(rng, FOREIGN_FAMILY) : `${pick(rng, FOREIGN_GIVEN)}·${pick(rng, FOREIGN_FAMILY)}`);
    const person = () => (rng() < 0.65 ? chinesePerson() : foreignPerson());
    const place = () => pick(rng, PLACES);
    const org = () => {
      const u = rng();
      if (u < 0.35) return pick(rng, FIXED_ORGS);
      if (u < 0.75) return pick(rng, ORG_PATTERNS)(place());
      return `${faker.person.lastName()}${pick(rng, ['氏', '記', '家', ''])}${pick(rng, COMPANY_SUFFIXES)}`;
    };
    const year = () => String(1900 + Math.floor(rng() * 125));
    const b = new Builder(simplified);
    const frames = [
      () => b.ent(person(), 'PERSON').lit('出生於').ent(place(), 'LOCATION').lit(`，是一位${pick(rng, OCCUPATIONS)}。`),
      () => b.ent(person(), 'PERSON').lit(`於${year()}年加入`).ent(org(), 'ORG').lit(`，擔任${pick(rng, ROLES)}。`),
      () => b.ent(person(), 'PERSON').lit('和').ent(person(), 'PERSON').lit('在').ent(place(), 'LOCATION').lit('會面。'),
      () => b.ent(org(), 'ORG').lit('總部位於').ent(place(), 'LOCATION').lit('。'),
      () => b.lit('據').ent(org(), 'ORG').lit('報導，').ent(person(), 'PERSON').lit('昨日抵達').ent(place(), 'LOCATION').lit('。'),
      () => b.ent(person(), 'PERSON').lit('的父親').ent(person(), 'PERSON').lit('是').ent(org(), 'ORG').lit('的創辦人。'),
      () => b.lit('她畢業於').ent(org(), 'ORG').lit('，之後移居').ent(place(), 'LOCATION').lit('。'),
      () => b.lit(`${year()}年，`).ent(place(), 'LOCATION').lit('被').ent(place(), 'LOCATION').lit('佔領。'),
      () => b.ent(person(), 'PERSON').lit(`（${year()}年－${year()}年），${pick(rng, OCCUPATIONS)}。`),
      () => b.lit('請聯絡').ent(chinesePerson(), 'PERSON').lit(pick(rng, ['先生', '女士', '小姐', '醫生', '教授'])).lit('，他目前住在').ent(place(), 'LOCATION').lit('。'),
      () => b.ent(place(), 'LOCATION').lit('位於').ent(place(), 'LOCATION').lit(`的${pick(rng, ['北部', '南部', '東部', '西部', '中部'])}。`),
      () => b.ent(org(), 'ORG').lit(`${pick(rng, ROLES)}`).ent(person(), 'PERSON').lit('表示，公司將在').ent(place(), 'LOCATION').lit('設立新的辦公室。'),
      () => b.lit('病人').ent(chinesePerson(), 'PERSON').lit(`，${20 + Math.floor(rng() * 70)}歲，於${year()}年在`).ent(org(), 'ORG').lit('接受治療。'),
      () => b.ent(person(), 'PERSON').lit('是').ent(place(), 'LOCATION').lit(`著名的${pick(rng, OCCUPATIONS)}，曾在`).ent(org(), 'ORG').lit('工作。'),
      () => b.lit('我叫').ent(chinesePerson(), 'PERSON').lit('，住在').ent(place(), 'LOCATION').lit('，在').ent(org(), 'ORG').lit('上班。'),
      () => b.lit('你好，').ent(chinesePerson(), 'PERSON').lit('，請把合同發給').ent(chinesePerson(), 'PERSON').lit('。'),
      () => b.lit(pick(rng, NEGATIVES)),
    ];
    const sentences = 1 + Math.floor(rng() * 3);
    for (let s = 0; s < sentences; s++) pick(rng, frames)();
    out.push({ id: `synth-zh:${n}`, source: 'synthetic', text: b.text, spans: b.spans });
  }
  return out;
}

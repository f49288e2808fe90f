/**
 * Place names in Chinese text, from a word list: countries, Chinese provinces and large cities,
 * world capitals and large cities, in simplified and traditional characters. The model reads
 * Chinese one character at a time and misses well-known places it has seen only a few times
 * ("埃及", "華沙"); a closed list of names this common finds them anywhere, also inside longer
 * words ("日本宇航員"), as the treebanks annotate them. Only names of two or more characters are
 * listed: one character alone ("美", "京") is too often part of an ordinary word.
 * @module
 */

// Written once in simplified and once in traditional where the two differ.
const PLACES = `
中国 中國 美国 美國 日本 韩国 韓國 朝鲜 朝鮮 英国 英國 法国 法國 德国 德國 意大利 義大利 西班牙 葡萄牙 俄罗斯 俄羅斯
加拿大 墨西哥 巴西 阿根廷 智利 秘鲁 秘魯 哥伦比亚 哥倫比亞 委内瑞拉 委內瑞拉 古巴 澳大利亚 澳大利亞 澳洲 新西兰 紐西蘭
印度 巴基斯坦 孟加拉 尼泊尔 尼泊爾 斯里兰卡 斯里蘭卡 缅甸 緬甸 泰国 泰國 越南 老挝 寮國 柬埔寨 马来西亚 馬來西亞
新加坡 印度尼西亚 印度尼西亞 印尼 菲律宾 菲律賓 蒙古 哈萨克斯坦 哈薩克 乌兹别克斯坦 烏茲別克 阿富汗 伊朗 伊拉克
叙利亚 敘利亞 黎巴嫩 以色列 巴勒斯坦 约旦 約旦 沙特阿拉伯 沙烏地阿拉伯 阿联酋 阿聯酋 卡塔尔 卡達 科威特 也门 葉門
土耳其 埃及 利比亚 利比亞 突尼斯 阿尔及利亚 阿爾及利亞 摩洛哥 苏丹 蘇丹 埃塞俄比亚 衣索比亞 肯尼亚 肯亞 尼日利亚
奈及利亞 南非 加纳 迦納 坦桑尼亚 坦尚尼亞 乌干达 烏干達 津巴布韦 辛巴威 马达加斯加 馬達加斯加 斐济 斐濟
瑞典 挪威 丹麦 丹麥 芬兰 芬蘭 冰岛 冰島 荷兰 荷蘭 比利时 比利時 卢森堡 盧森堡 瑞士 奥地利 奧地利 波兰 波蘭
捷克 斯洛伐克 匈牙利 罗马尼亚 羅馬尼亞 保加利亚 保加利亞 希腊 希臘 塞尔维亚 塞爾維亞 克罗地亚 克羅埃西亞 乌克兰 烏克蘭
白俄罗斯 白俄羅斯 立陶宛 拉脱维亚 拉脫維亞 爱沙尼亚 愛沙尼亞 爱尔兰 愛爾蘭 苏格兰 蘇格蘭 威尔士 威爾斯 格陵兰 格陵蘭
台湾 台灣 臺灣 香港 澳门 澳門 西藏 新疆 内蒙古 內蒙古 广东 廣東 广西 廣西 福建 浙江 江苏 江蘇 山东 山東 山西 河北
河南 湖北 湖南 江西 安徽 四川 贵州 貴州 云南 雲南 陕西 陝西 甘肃 甘肅 青海 宁夏 寧夏 辽宁 遼寧 吉林 黑龙江 黑龍江
海南 北京 上海 天津 重庆 重慶 广州 廣州 深圳 南京 杭州 苏州 蘇州 武汉 武漢 成都 西安 长沙 長沙 沈阳 瀋陽 哈尔滨
哈爾濱 大连 大連 青岛 青島 厦门 廈門 福州 郑州 鄭州 济南 濟南 昆明 贵阳 貴陽 南宁 南寧 兰州 蘭州 乌鲁木齐 烏魯木齊
拉萨 拉薩 合肥 南昌 太原 石家庄 石家莊 长春 長春 呼和浩特 银川 銀川 西宁 西寧 海口 三亚 三亞 宁波 寧波 无锡 無錫
温州 溫州 珠海 东莞 東莞 佛山 汕头 汕頭 台北 臺北 台中 臺中 台南 臺南 高雄 新竹 基隆 桃园 桃園 嘉义 嘉義 花莲 花蓮
九龙 九龍 东京 東京 大阪 京都 横滨 橫濱 名古屋 札幌 福冈 福岡 首尔 首爾 釜山 平壤 曼谷 河内 河內 胡志明市 金边 金邊
仰光 吉隆坡 雅加达 雅加達 马尼拉 馬尼拉 新德里 孟买 孟買 加尔各答 加爾各答 卡拉奇 伊斯兰堡 伊斯蘭堡 德黑兰 德黑蘭
巴格达 巴格達 大马士革 大馬士革 贝鲁特 貝魯特 耶路撒冷 特拉维夫 特拉維夫 安卡拉 伊斯坦布尔 伊斯坦堡 开罗 開羅
内罗毕 奈洛比 约翰内斯堡 約翰尼斯堡 开普敦 開普敦 伦敦 倫敦 巴黎 柏林 慕尼黑 法兰克福 法蘭克福 汉堡 漢堡 维也纳 維也納
罗马 羅馬 米兰 米蘭 威尼斯 佛罗伦萨 佛羅倫斯 马德里 馬德里 巴塞罗那 巴塞隆納 里斯本 阿姆斯特丹 布鲁塞尔 布魯塞爾
日内瓦 日內瓦 苏黎世 蘇黎世 斯德哥尔摩 斯德哥爾摩 奥斯陆 奧斯陸 哥本哈根 赫尔辛基 赫爾辛基 华沙 華沙 布拉格
布达佩斯 布達佩斯 雅典 莫斯科 圣彼得堡 聖彼得堡 基辅 基輔 都柏林 爱丁堡 愛丁堡 纽约 紐約 洛杉矶 洛杉磯 芝加哥
旧金山 舊金山 华盛顿 華盛頓 波士顿 波士頓 西雅图 西雅圖 费城 費城 休斯敦 休士頓 迈阿密 邁阿密 拉斯维加斯 拉斯維加斯
夏威夷 加利福尼亚 加利福尼亞 加州 德克萨斯 德克薩斯 德州 佛罗里达 佛羅里達 纽约州 紐約州 多伦多 多倫多 温哥华 溫哥華
蒙特利尔 蒙特婁 渥太华 渥太華 悉尼 雪梨 墨尔本 墨爾本 奥克兰 奧克蘭 墨西哥城 里约热内卢 里約熱內盧 圣保罗 聖保羅
布宜诺斯艾利斯 布宜諾斯艾利斯 亚洲 亞洲 欧洲 歐洲 非洲 美洲 北美 南美 大洋洲 南美洲 北美洲 中东 中東 东南亚 東南亞 太平洋 大西洋
印度洋 地中海
`;

const NAMES = [...new Set(PLACES.split(/\s+/u).filter((name) => name.length >= 2))].sort((a, b) => b.length - a.length);
const PATTERN = new RegExp(NAMES.join('|'), 'gu');
const HAN = /\p{sc=Han}/u;
const DIGIT_BEFORE = /^[0-9０-９]$/u;

export interface PlaceMatch {
  readonly start: number;
  readonly end: number;
}

/** Listed place names in `text`, longest first at each position; none in text without Chinese characters. */
export function findChinesePlaces(text: string): PlaceMatch[] {
  if (!HAN.test(text)) return [];
  const found: PlaceMatch[] = [];
  PATTERN.lastIndex = 0;
  for (let match = PATTERN.exec(text); match !== null; match = PATTERN.exec(text)) {
    // "8月26日本賽季" is "the 26th, this season": a date's 日 before a name starting with 本.
    if (DIGIT_BEFORE.test(text.charAt(match.index - 1))) continue;
    found.push({ start: match.index, end: match.index + match[0].length });
  }
  return found;
}

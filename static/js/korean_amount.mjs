// 한글금액: a whole amount in Korean words, as written on cheques and contracts
// (123450000 → "일억이천삼백사십오만"). Every digit is named, 일 included (일천, 일백, 일십).
const DIGITS = ["", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"];
const SMALL = ["", "십", "백", "천"];
const LARGE = ["", "만", "억", "조", "경"];

export function koreanAmount(whole) {
  const text = String(whole).replace(/^0+/, "");
  if (!text) return "영";
  const groups = [];
  for (let end = text.length; end > 0; end -= 4) groups.unshift(text.slice(Math.max(0, end - 4), end));
  let words = "";
  groups.forEach((group, index) => {
    const padded = group.padStart(4, "0");
    let part = "";
    for (let i = 0; i < 4; i += 1) {
      const digit = Number(padded[i]);
      if (digit) part += DIGITS[digit] + SMALL[3 - i];
    }
    if (part) words += part + LARGE[groups.length - 1 - index];
  });
  return words;
}

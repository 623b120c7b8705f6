/**
 * The event types this service knows without fetching anything: the common
 * classes of the Pryv event-types list, written here so validation works
 * offline. The full list is loaded at run time (see event-types.ts); these
 * definitions are the fallback when it cannot be fetched.
 */
export type TypeSchema = Record<string, unknown>;

const number: TypeSchema = { type: "number" };
const text: TypeSchema = { type: "string" };
const longText: TypeSchema = { type: "string", maxLength: 4 * 1024 * 1024 };
const url: TypeSchema = { type: "string", pattern: "^(https?)://.+$" };
const attached: TypeSchema = { type: "null" };

/** Classes whose every format is a plain number (a value in that unit). */
const NUMERIC_FORMATS: Record<string, string[]> = {
  mass: ["kg", "g", "mg", "lb", "oz", "t", "st"],
  length: ["m", "cm", "mm", "km", "um", "in", "ft", "yd", "mi", "nmi"],
  area: ["m2", "cm2", "mm2", "km2", "ha", "ft2", "in2", "ac"],
  volume: ["l", "ml", "m3", "cm3", "floz", "galus", "galgb", "pt", "qt", "tbs", "tsp", "iu"],
  temperature: ["c", "f", "k"],
  time: ["ms", "s", "min", "h", "d", "y"],
  speed: ["m-s", "km-h", "mph", "kt", "m-min", "ft-s"],
  frequency: ["bpm", "brpm", "hz", "khz", "rpm"],
  pressure: ["mmhg", "cmhg", "inhg", "pa", "kpa", "bar", "psi", "at"],
  energy: ["j", "kcal", "cal", "kwh", "wh"],
  power: ["w", "kw", "hp"],
  density: ["mg-dl", "mmol-l", "g-dl", "kg-m3"],
  count: ["generic", "steps"],
  "data-quantity": ["b", "kb", "mb", "gb", "tb", "bits"],
  "electric-current": ["a"],
  "electromotive-force": ["v"],
  angle: ["deg", "rad"],
  money: ["chf", "eur", "usd", "gbp", "jpy", "cad", "aud", "cny", "inr", "btc"],
};

function builtInTypes(): Record<string, TypeSchema> {
  const types: Record<string, TypeSchema> = {};
  for (const [klass, formats] of Object.entries(NUMERIC_FORMATS)) {
    for (const format of formats) types[`${klass}/${format}`] = number;
  }
  Object.assign(types, {
    "activity/plain": { type: "null" },
    "note/txt": longText,
    "note/html": longText,
    "note/webclip": {
      type: "object",
      properties: { url, content: longText },
      required: ["url"],
    },
    "ratio/percent": number,
    "ratio/generic": {
      type: "object",
      properties: { value: number, relativeTo: number },
      required: ["value", "relativeTo"],
    },
    "mood/rating": { type: "number", minimum: 0, maximum: 1 },
    "boolean/bool": { type: "boolean" },
    "date/iso-8601": text,
    "url/http": url,
    "position/wgs84": {
      type: "object",
      properties: {
        latitude: number,
        longitude: number,
        altitude: number,
        horizontalAccuracy: number,
        verticalAccuracy: number,
        speed: number,
        bearing: number,
      },
      required: ["latitude", "longitude"],
    },
    "blood-pressure/mmhg-bpm": {
      type: "object",
      properties: { systolic: number, diastolic: number, rate: number },
      required: ["systolic", "diastolic"],
    },
    "picture/attached": attached,
    "picture/url": url,
    "file/attached": attached,
    "file/attached-multiple": attached,
    "audio/attached": attached,
    "video/attached": attached,
    // Account field types (system streams).
    "language/iso-639-1": text,
    "identifier/string": text,
    "token/string": text,
    "email/string": text,
  });
  return types;
}

export const BUILT_IN_TYPES: Readonly<Record<string, TypeSchema>> = Object.freeze(builtInTypes());

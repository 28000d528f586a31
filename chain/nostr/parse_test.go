package nostr

import (
	"errors"
	"strings"
	"testing"
)

// Fields of a valid signed event (valid[0] of the vectors), as raw JSON.
const (
	tID  = `"37324c051bff86d123ce3e98ec019b8e2a6ba4da11630df564f6666f8d261d1c"`
	tPub = `"89320252f4e1b4f9ef6584b28356f02b31fc0551aaf3e2ffe68f8f49fef27507"`
	tSig = `"0cee6966eddc089823aa2fbca655436b880ae0c36f53149b39fb61c4321ed3efdee8709b153867f824953f51f4937a4c15894a8feece00bbda1677f9f086c1a7"`
)

// obj builds a JSON object from key, raw-value pairs, in order.
func obj(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + kv[i] + `":` + kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

func baseKV() []string {
	return []string{"id", tID, "pubkey", tPub, "created_at", "1763700000", "kind", "1",
		"tags", "[]", "content", `"hello world"`, "sig", tSig}
}

// with returns the base event with key's raw value replaced.
func with(key, raw string) string {
	kv := baseKV()
	for i := 0; i < len(kv); i += 2 {
		if kv[i] == key {
			kv[i+1] = raw
		}
	}
	return obj(kv...)
}

func without(key string) string {
	var kv []string
	for i, base := 0, baseKV(); i < len(base); i += 2 {
		if base[i] != key {
			kv = append(kv, base[i], base[i+1])
		}
	}
	return obj(kv...)
}

func TestParseBaseIsValid(t *testing.T) {
	e, err := Parse([]byte(obj(baseKV()...)))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(); err != nil {
		t.Fatal(err)
	}
	if e.Content != "hello world" || e.Kind != 1 || e.CreatedAt != 1763700000 || e.Tags == nil || len(e.Tags) != 0 {
		t.Fatalf("parsed %+v", e)
	}
}

func TestParseRejects(t *testing.T) {
	big := func(n int) string { return `"` + strings.Repeat("x", n) + `"` }
	manyTags := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(`["t","x"],`, n), ",") + "]"
	}
	manyItems := func(n int) string {
		return `[[` + strings.TrimSuffix(strings.Repeat(`"x",`, n), ",") + `]]`
	}
	cases := []struct {
		name  string
		input string
		want  error
		msg   string // the error must contain this: field and problem
	}{
		// structure
		{"empty input", "", ErrMalformed, "event: unexpected end of input"},
		{"not an object", `[]`, ErrMalformed, "event: unexpected '['"},
		{"null", `null`, ErrMalformed, "event: unexpected 'n'"},
		{"byte order mark", "\xef\xbb\xbf" + obj(baseKV()...), ErrMalformed, "event: unexpected"},
		{"empty object", `{}`, ErrMalformed, "id: missing"},
		{"missing sig", without("sig"), ErrMalformed, "sig: missing"},
		{"missing tags", without("tags"), ErrMalformed, "tags: missing"},
		{"duplicate key", obj(append(baseKV(), "content", `"again"`)...), ErrMalformed, "content: duplicate key"},
		{"duplicate id", obj(append([]string{"id", tID}, baseKV()...)...), ErrMalformed, "id: duplicate key"},
		{"unknown key", obj(append(baseKV(), "extra", "1")...), ErrMalformed, `event: unknown key "extra"`},
		{"key in other case", strings.Replace(obj(baseKV()...), `"pubkey"`, `"PubKey"`, 1), ErrMalformed, `unknown key "PubKey"`},
		{"trailing comma", strings.TrimSuffix(obj(baseKV()...), "}") + ",}", ErrMalformed, "event: unexpected '}'"},
		{"missing colon", strings.Replace(obj(baseKV()...), `"kind":`, `"kind" `, 1), ErrMalformed, "kind: unexpected '1'"},
		{"missing comma", strings.Replace(obj(baseKV()...), `,"kind"`, ` "kind"`, 1), ErrMalformed, "event: unexpected '\"'"},
		{"single quotes", strings.Replace(obj(baseKV()...), `"kind"`, `'kind'`, 1), ErrMalformed, "event: unexpected '\\''"},
		{"trailing garbage", obj(baseKV()...) + "x", ErrMalformed, "event: trailing data"},
		{"two objects", obj(baseKV()...) + obj(baseKV()...), ErrMalformed, "event: trailing data"},
		{"trailing comma after object", obj(baseKV()...) + ",", ErrMalformed, "event: trailing data"},
		{"unterminated", strings.TrimSuffix(obj(baseKV()...), "}"), ErrMalformed, "event: unexpected end of input"},

		// hex fields
		{"upper-case id", with("id", strings.ToUpper(tID)), ErrMalformed, "id: upper-case hex"},
		{"upper-case pubkey", with("pubkey", `"89320252F4e1b4f9ef6584b28356f02b31fc0551aaf3e2ffe68f8f49fef27507"`), ErrMalformed, "pubkey: upper-case hex"},
		{"upper-case sig", with("sig", strings.Replace(tSig, "c", "C", 1)), ErrMalformed, "sig: upper-case hex"},
		{"short pubkey", with("pubkey", tPub[:63]+`"`), ErrMalformed, "pubkey: want 64 hex characters, got 62"},
		{"long sig", with("sig", tSig[:129]+`00"`), ErrMalformed, "sig: want 128 hex characters, got 130"},
		{"non-hex id", with("id", `"g`+tID[2:]), ErrMalformed, "id: not hex: 'g' at 0"},
		{"id not a string", with("id", "12"), ErrMalformed, "id: want a string, got a number"},
		{"0x prefix", with("id", `"0x`+tID[3:]), ErrMalformed, "id: not hex: 'x' at 1"},

		// numbers
		{"float created_at", with("created_at", "1763700000.5"), ErrMalformed, "created_at: not an integer (fraction)"},
		{"integral float", with("created_at", "1763700000.0"), ErrMalformed, "created_at: not an integer (fraction)"},
		{"exponent", with("created_at", "1.7637e9"), ErrMalformed, "created_at: not an integer (fraction)"},
		{"plain exponent", with("kind", "1e0"), ErrMalformed, "kind: not an integer (exponent)"},
		{"upper exponent", with("kind", "1E2"), ErrMalformed, "kind: not an integer (exponent)"},
		{"negative kind", with("kind", "-1"), ErrMalformed, "kind: negative"},
		{"negative zero", with("kind", "-0"), ErrMalformed, "kind: negative"},
		{"negative created_at", with("created_at", "-5"), ErrMalformed, "created_at: negative"},
		{"plus sign", with("kind", "+1"), ErrMalformed, "kind: want an integer, got '+'"},
		{"leading zero", with("kind", "01"), ErrMalformed, "kind: leading zero"},
		{"double zero", with("created_at", "00"), ErrMalformed, "created_at: leading zero"},
		{"kind too big", with("kind", "65536"), ErrMalformed, "kind: out of range, limit 65535"},
		{"created_at 2^53", with("created_at", "9007199254740992"), ErrMalformed, "created_at: out of range"},
		{"created_at overflows uint64", with("created_at", "184467440737095516160"), ErrMalformed, "created_at: out of range"},
		{"kind as string", with("kind", `"1"`), ErrMalformed, "kind: want an integer, got a string"},
		{"kind null", with("kind", `null`), ErrMalformed, "kind: want an integer, got null"},
		{"kind true", with("kind", `true`), ErrMalformed, "kind: want an integer, got a boolean"},
		{"hex number", with("kind", "0x1"), ErrMalformed, "kind: unexpected 'x'"},

		// strings
		{"invalid utf-8 in content", with("content", "\"a\xffb\""), ErrMalformed, "content: invalid utf-8"},
		{"overlong utf-8", with("content", "\"\xc0\xaf\""), ErrMalformed, "content: invalid utf-8"},
		{"utf-8 encoded surrogate", with("content", "\"\xed\xa0\x80\""), ErrMalformed, "content: invalid utf-8"},
		{"truncated utf-8", with("content", "\"\xe2\x82\""), ErrMalformed, "content: invalid utf-8"},
		{"invalid utf-8 in tag", with("tags", "[[\"t\",\"\xfe\"]]"), ErrMalformed, "tags[0][1]: invalid utf-8"},
		{"invalid utf-8 in key", obj(append(baseKV(), "\xff", "1")...), ErrMalformed, "event: invalid utf-8"},
		{"lone high surrogate", with("content", `"a\ud83e"`), ErrMalformed, `content: lone surrogate \ud83e`},
		{"high surrogate then char", with("content", `"\ud83ex"`), ErrMalformed, `content: lone surrogate \ud83e`},
		{"high surrogate then non-surrogate escape", with("content", `"\ud83e\u0041"`), ErrMalformed, `content: lone surrogate \ud83e`},
		{"two high surrogates", with("content", `"\ud83e\ud83e"`), ErrMalformed, `content: lone surrogate \ud83e`},
		{"lone low surrogate", with("content", `"\udd31"`), ErrMalformed, `content: lone surrogate \udd31`},
		{"lone surrogate in tag", with("tags", `[["t","\uDC00"]]`), ErrMalformed, `tags[0][1]: lone surrogate \udc00`},
		{"bad escape", with("content", `"\x41"`), ErrMalformed, `content: invalid escape "\\x"`},
		{"short unicode escape", with("content", `"\u41"`), ErrMalformed, `content: invalid \u escape`},
		{"non-hex unicode escape", with("content", `"\u00g1"`), ErrMalformed, `content: invalid \u escape`},
		{"raw newline", with("content", "\"a\nb\""), ErrMalformed, "content: unescaped control character 0x0a"},
		{"raw nul", with("content", "\"a\x00b\""), ErrMalformed, "content: unescaped control character 0x00"},
		{"unterminated string", `{"content":"abc`, ErrMalformed, "content: unterminated string"},
		{"content not a string", with("content", `["x"]`), ErrMalformed, "content: want a string, got an array"},
		{"content null", with("content", `null`), ErrMalformed, "content: want a string, got null"},

		// tags
		{"tags null", with("tags", `null`), ErrMalformed, "tags: want an array of arrays of strings, got null"},
		{"tags object", with("tags", `{"t":"x"}`), ErrMalformed, "tags: want an array of arrays of strings, got an object"},
		{"tag not an array", with("tags", `["t"]`), ErrMalformed, "tags[0]: want an array of strings, got a string"},
		{"tag item number", with("tags", `[["t",1]]`), ErrMalformed, "tags[0][1]: want a string, got a number"},
		{"tag item null", with("tags", `[["t"],[null]]`), ErrMalformed, "tags[1][0]: want a string, got null"},
		{"nested three deep", with("tags", `[[["x"]]]`), ErrMalformed, "tags[0][0]: want a string, got an array"},
		{"deep nesting", with("tags", strings.Repeat("[", 10000)+strings.Repeat("]", 10000)), ErrMalformed, "tags[0][0]: want a string, got an array"},
		{"tags trailing comma", with("tags", `[["t"],]`), ErrMalformed, "tags[1]: want an array of strings, got ']'"},
		{"tag trailing comma", with("tags", `[["t",]]`), ErrMalformed, "tags[0][1]: want a string, got ']'"},
		{"tags missing comma", with("tags", `[["t"] ["u"]]`), ErrMalformed, "tags: unexpected '['"},

		// limits
		{"input too large", with("content", big(MaxEventSize)), ErrTooLarge, "event: 65"},
		{"content too large", with("content", big(MaxContentSize+1)), ErrTooLarge, "content: 32769 bytes, limit 32768"},
		{"content too large after unescaping", with("content", `"`+strings.Repeat("x", MaxContentSize-99)+strings.Repeat(`\n`, 100)+`"`), ErrTooLarge, "content: 32769 bytes"},
		{"too many tags", with("tags", manyTags(MaxTags+1)), ErrTooLarge, "tags: more than 100 tags"},
		{"too many tag items", with("tags", manyItems(MaxTagItems+1)), ErrTooLarge, "tags[0]: more than 16 items"},
		{"tag item too large", with("tags", `[["t",`+big(MaxTagItemSize+1)+`]]`), ErrTooLarge, "tags[0][1]: 1025 bytes, limit 1024"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse([]byte(tc.input))
			if err == nil {
				t.Fatalf("accepted: %+v", e)
			}
			if e != nil {
				t.Errorf("returned an event along with error %v", err)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Errorf("error %q is not a *FieldError naming a field", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func TestParseAtLimits(t *testing.T) {
	manyTags := "[" + strings.TrimSuffix(strings.Repeat(`["t","x"],`, MaxTags), ",") + "]"
	items := `[[` + strings.TrimSuffix(strings.Repeat(`"x",`, MaxTagItems), ",") + `]]`
	for name, input := range map[string]string{
		"content at limit":   with("content", `"`+strings.Repeat("é", MaxContentSize/2)+`"`),
		"tags at limit":      with("tags", manyTags),
		"tag items at limit": with("tags", items),
		"tag item at limit":  with("tags", `[["t","`+strings.Repeat("x", MaxTagItemSize)+`"]]`),
		"kind at limit":      with("kind", "65535"),
		"created_at limit":   with("created_at", "9007199254740991"),
		"zero numbers":       with("kind", "0"),
	} {
		if _, err := Parse([]byte(input)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestParseEveryPrefix: no proper prefix of a valid event is an event.
func TestParseEveryPrefix(t *testing.T) {
	full := with("tags", `[["e","`+tID[1:65]+`","","reply"],["t","\u00e9\ud83e\udde1"]]`)
	if _, err := Parse([]byte(full)); err != nil {
		t.Fatal(err)
	}
	for i := range len(full) {
		if _, err := Parse([]byte(full[:i])); !errors.Is(err, ErrMalformed) {
			t.Fatalf("prefix of %d bytes: got %v, want ErrMalformed", i, err)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		content string
		tags    [][]string
	}{
		{"whitespace everywhere", " \n\t{\r\n \"id\" : " + tID + " ,\"pubkey\":" + tPub +
			",\"created_at\" :1763700000 , \"kind\":1,\"tags\": [ [ \"t\" , \"x\" ] , [ ] ] ,\"content\":\"hi\",\"sig\":" + tSig + " } \n",
			"hi", [][]string{{"t", "x"}, {}}},
		{"keys in any order", obj("sig", tSig, "content", `"c"`, "tags", `[]`, "kind", "1", "created_at", "1", "pubkey", tPub, "id", tID),
			"c", [][]string{}},
		{"simple escapes", with("content", `"\"\\\/\b\f\n\r\t"`), "\"\\/\b\f\n\r\t", [][]string{}},
		{"unicode escapes", with("content", `"\u00e9\u00E9\u2028\u0000\u001f"`), "éé\u2028\x00\x1f", [][]string{}},
		{"surrogate pair", with("content", `"\ud83e\uddf1 \uD83E\uDDF1"`), "🧱 🧱", [][]string{}},
		{"raw non-ascii", with("content", "\"é🧱\u2028\x7f\""), "é🧱\u2028\x7f", [][]string{}},
		{"escaped key", obj(append(baseKV()[2:], `\u0069d`, tID)...), "hello world", [][]string{}},
		{"empty strings", with("tags", `[[""],["",""]]`), "hello world", [][]string{{""}, {"", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse([]byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			if e.Content != tc.content {
				t.Errorf("content %q, want %q", e.Content, tc.content)
			}
			if !tagsEqual(e.Tags, tc.tags) {
				t.Errorf("tags %q, want %q", e.Tags, tc.tags)
			}
			if e.Tags == nil {
				t.Error("tags is nil, want empty")
			}
		})
	}
}

// TestParseTagsDoNotAlias: appending to one parsed tag must not overwrite the
// next one, though they share backing memory.
func TestParseTagsDoNotAlias(t *testing.T) {
	e, err := Parse([]byte(with("tags", `[["a","b"],["c","d"]]`)))
	if err != nil {
		t.Fatal(err)
	}
	e.Tags[0] = append(e.Tags[0], "x")
	if e.Tags[1][0] != "c" {
		t.Fatalf("appending to tag 0 changed tag 1 to %q", e.Tags[1])
	}
}

func TestUnmarshalJSONIsStrict(t *testing.T) {
	var e Event
	if err := e.UnmarshalJSON([]byte(with("kind", "1.5"))); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
	if err := e.UnmarshalJSON([]byte(obj(baseKV()...))); err != nil {
		t.Fatal(err)
	}
	if e.Content != "hello world" {
		t.Fatalf("content %q", e.Content)
	}
}

func tagsEqual(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

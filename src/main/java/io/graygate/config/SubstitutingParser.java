package io.graygate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

import java.io.IOException;
import java.util.Map;

/**
 * The YAML parser with ${VAR} and ${VAR:-default} substituted into string scalars as they are read, never into the
 * text before parsing: a value holding '#', '*', '&amp;', ':' or a newline stays that value, a comment is never read,
 * and every other scalar (numbers, {@code off}, {@code yes}) reaches binding exactly as YAML read it. A value that is
 * one variable and nothing else and comes out empty reads as an empty YAML value (null), as {@code token:} does.
 */
final class SubstitutingParser extends JsonParserDelegate {

    private final Map<String, String> env;
    private JsonToken token;   // the current token as this parser reports it
    private String text;       // the substituted text of the current string scalar, or null to ask the delegate

    SubstitutingParser(JsonParser yaml, Map<String, String> env) {
        super(yaml);
        this.env = env;
    }

    private JsonToken take(JsonToken t) throws IOException {
        token = t;
        text = null;
        if (t == JsonToken.VALUE_STRING) {
            String raw = delegate.getText();
            if (raw != null && raw.contains("${")) {
                try {
                    text = ConfigLoader.substitute(raw, env);
                } catch (ConfigException e) {
                    String at = path(delegate.getParsingContext());
                    throw at.isEmpty() ? e : ConfigException.at(at, e.getMessage());
                }
                if (text.isEmpty() && ConfigLoader.isOneVariable(raw)) {
                    token = JsonToken.VALUE_NULL;
                    text = null;
                }
            }
        }
        return token;
    }

    /** "admin.token", "clientIp.trustedProxies[1]": where the scalar being read sits. */
    private static String path(JsonStreamContext context) {
        StringBuilder sb = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            sb.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
        }
        return sb.length() > 0 && sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
    }

    @Override
    public JsonToken nextToken() throws IOException {
        return take(delegate.nextToken());
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    @Override
    public String nextFieldName() throws IOException {
        return nextToken() == JsonToken.FIELD_NAME ? getCurrentName() : null;
    }

    @Override
    public boolean nextFieldName(com.fasterxml.jackson.core.SerializableString name) throws IOException {
        return nextToken() == JsonToken.FIELD_NAME && name.getValue().equals(getCurrentName());
    }

    @Override
    public String nextTextValue() throws IOException {
        return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
    }

    @Override
    public int nextIntValue(int defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getIntValue() : defaultValue;
    }

    @Override
    public long nextLongValue(long defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getLongValue() : defaultValue;
    }

    @Override
    public Boolean nextBooleanValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.VALUE_TRUE ? Boolean.TRUE : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) return this;
        int open = 1;
        while (open > 0) {
            JsonToken t = nextToken();
            if (t == null) return this;
            if (t.isStructStart()) open++;
            else if (t.isStructEnd()) open--;
        }
        return this;
    }

    @Override
    public JsonToken currentToken() {
        return token;
    }

    @Override
    public JsonToken getCurrentToken() {
        return token;
    }

    @Override
    public int currentTokenId() {
        return token == null ? JsonTokenId.ID_NO_TOKEN : token.id();
    }

    @Override
    public int getCurrentTokenId() {
        return currentTokenId();
    }

    @Override
    public boolean hasCurrentToken() {
        return token != null;
    }

    @Override
    public boolean hasTokenId(int id) {
        return currentTokenId() == id;
    }

    @Override
    public boolean hasToken(JsonToken t) {
        return token == t;
    }

    @Override
    public boolean isExpectedStartArrayToken() {
        return token == JsonToken.START_ARRAY;
    }

    @Override
    public boolean isExpectedStartObjectToken() {
        return token == JsonToken.START_OBJECT;
    }

    @Override
    public void clearCurrentToken() {
        token = null;
        text = null;
        delegate.clearCurrentToken();
    }

    @Override
    public String getText() throws IOException {
        if (token == JsonToken.VALUE_NULL) return null;
        return text != null ? text : delegate.getText();
    }

    @Override
    public String getValueAsString() throws IOException {
        if (token == JsonToken.VALUE_NULL) return null;
        return text != null ? text : delegate.getValueAsString();
    }

    @Override
    public String getValueAsString(String defaultValue) throws IOException {
        if (token == JsonToken.VALUE_NULL) return defaultValue;
        return text != null ? text : delegate.getValueAsString(defaultValue);
    }

    @Override
    public char[] getTextCharacters() throws IOException {
        return text != null ? text.toCharArray() : delegate.getTextCharacters();
    }

    @Override
    public int getTextLength() throws IOException {
        return text != null ? text.length() : delegate.getTextLength();
    }

    @Override
    public int getTextOffset() throws IOException {
        return text != null ? 0 : delegate.getTextOffset();
    }

    @Override
    public boolean hasTextCharacters() {
        return text == null && delegate.hasTextCharacters();
    }
}

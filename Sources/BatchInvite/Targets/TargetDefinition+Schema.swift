/// The JSON Schema of the format (`batch-invite targets schema`), so that an editor checks
/// a definition as it is typed. `TargetDefinition.parse` checks more (placeholders that
/// name fields, one key field); the tests hold both to the same broken definitions.
extension TargetDefinition {
    public static let schema = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://batch-invite.invalid/target.schema.json",
          "title": "batch-invite target definition",
          "type": "object",
          "additionalProperties": false,
          "required": ["format", "name", "description", "documentation", "fields", "request"],
          "properties": {
            "$schema": {"type": "string", "minLength": 1},
            "format": {"const": 1},
            "name": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"},
            "description": {"$ref": "#/$defs/text"},
            "documentation": {"type": "string", "pattern": "^https://[^\\u0000-\\u001f\\u007f]+$"},
            "base_url": {"type": "string", "pattern": "^https://[A-Za-z0-9.:\\[\\]-]+(/[!-~]*[!-.0-~])?$", "not": {"pattern": "[?#]"}},
            "vars": {
              "type": "object",
              "propertyNames": {"$ref": "#/$defs/name"},
              "additionalProperties": {
                "type": "object",
                "additionalProperties": false,
                "required": ["description"],
                "properties": {
                  "description": {"$ref": "#/$defs/text"},
                  "required": {"type": "boolean"}
                }
              }
            },
            "fields": {"type": "array", "minItems": 1, "maxItems": 64, "items": {"$ref": "#/$defs/field"}},
            "full_name": {
              "type": "object",
              "additionalProperties": false,
              "required": ["first", "last"],
              "properties": {
                "first": {"$ref": "#/$defs/name"},
                "last": {"$ref": "#/$defs/name"},
                "aliases": {"type": "array", "items": {"$ref": "#/$defs/text"}}
              }
            },
            "idempotency": {
              "type": "object",
              "additionalProperties": false,
              "required": ["header"],
              "properties": {
                "header": {
                  "type": "string", "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
                  "not": {"pattern": "^([Aa]uthorization|[Cc]ontent-[Tt]ype|[Cc]ontent-[Ll]ength|[Hh]ost|[Tt]ransfer-[Ee]ncoding|[Uu]ser-[Aa]gent|[Ee]xpect|[Cc]onnection|[Cc]ookie|[Pp]roxy-[Aa]uthorization)$"}
                }
              }
            },
            "request": {
              "type": "object",
              "additionalProperties": false,
              "required": ["method", "path"],
              "properties": {
                "method": {"enum": ["POST", "PUT", "PATCH", "GET", "DELETE"]},
                "path": {"type": "string", "pattern": "^/[!-~]*$"},
                "query": {"$ref": "#/$defs/templates"},
                "headers": {"$ref": "#/$defs/templates"},
                "json": true,
                "form": {"$ref": "#/$defs/templates"}
              },
              "not": {"required": ["json", "form"]}
            },
            "auth": {
              "type": "object",
              "additionalProperties": false,
              "required": ["type"],
              "if": {"properties": {"type": {"const": "header"}}},
              "then": {"required": ["header"]},
              "else": {"not": {"anyOf": [{"required": ["header"]}, {"required": ["scheme"]}]}},
              "properties": {
                "type": {"enum": ["bearer", "header"]},
                "header": {"type": "string", "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
                "scheme": {"type": "string", "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
                "oauth": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["token_url"],
                  "properties": {
                    "token_url": {"type": "string", "pattern": "^https://[A-Za-z0-9.:\\[\\]-]+/[!-~]*$", "not": {"pattern": "[?#]"}},
                    "scope": {"$ref": "#/$defs/text"}
                  }
                }
              }
            },
            "answer": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "success_statuses": {"type": "array", "items": {"type": "integer", "minimum": 200, "maximum": 299}},
                "success_tests": {"type": "array", "items": {"$ref": "#/$defs/test"}},
                "success_message": {"$ref": "#/$defs/pointers"},
                "invitation_status": {"$ref": "#/$defs/pointer"},
                "expires_at": {"$ref": "#/$defs/pointer"},
                "message": {"$ref": "#/$defs/pointers"},
                "failed_tests": {"enum": ["message", "unexpected", "refusal"]},
                "errors_are_json": {"type": "boolean"},
                "unreadable_success": {
                  "type": "object",
                  "propertyNames": {"pattern": "^(2[0-9][0-9]|other)$"},
                  "additionalProperties": {"enum": ["invited", "refused", "unclear"]}
                },
                "already_invited": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["words"],
                  "properties": {
                    "statuses": {"type": "array", "items": {"type": "integer", "minimum": 100, "maximum": 599}},
                    "words": {
                      "type": "array", "minItems": 1,
                      "items": {"type": "array", "items": {"$ref": "#/$defs/text"}}
                    }
                  }
                }
              }
            },
            "rate": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "default": {"type": "number", "minimum": 0.001, "maximum": 1000000},
                "reset_header": {"type": "string", "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
                "reset_unit": {"enum": ["seconds", "unix", "seconds_or_unix"]},
                "limited_when": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["status", "header"],
                    "oneOf": [{"required": ["equals"]}, {"required": ["present"]}],
                    "properties": {
                      "status": {"enum": [401, 403]},
                      "header": {"$ref": "#/$defs/text"},
                      "equals": {"type": "string"},
                      "present": {"const": true}
                    }
                  }
                }
              }
            }
          },
          "$defs": {
            "text": {"type": "string", "minLength": 1, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"},
            "name": {"type": "string", "pattern": "^[A-Za-z0-9_]{1,64}$", "not": {"const": "full_name"}},
            "pointer": {"type": "string", "pattern": "^(/[^\\u0000-\\u001f\\u007f]*)?$"},
            "pointers": {"type": "array", "items": {"$ref": "#/$defs/pointer"}},
            "templates": {
              "type": "object",
              "additionalProperties": {"type": "string", "pattern": "^[^\\u0000-\\u001f\\u007f]*$"}
            },
            "test": {
              "type": "object",
              "additionalProperties": false,
              "required": ["pointer"],
              "properties": {
                "pointer": {"type": "string", "pattern": "^(/[^*\\u0000-\\u001f\\u007f]*)?$"},
                "equals": true,
                "not_equals": true,
                "absent_or_null": {"const": true}
              },
              "oneOf": [
                {"required": ["equals"]}, {"required": ["not_equals"]}, {"required": ["absent_or_null"]}
              ]
            },
            "field": {
              "type": "object",
              "additionalProperties": false,
              "required": ["name", "rule"],
              "properties": {
                "name": {"$ref": "#/$defs/name"},
                "aliases": {"type": "array", "items": {"$ref": "#/$defs/text"}},
                "rule": {"enum": ["text", "email", "uuid", "choice", "integer", "phone", "url"]},
                "choices": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[a-z0-9 -@\\[-`{-~]+$"}},
                "min": {"type": "integer"},
                "max": {"type": "integer"},
                "max_length": {"type": "integer", "minimum": 1, "maximum": 100000},
                "required": {"type": "boolean"},
                "default_option": {"enum": ["--role", "--team-group-id"]},
                "default_var": {"$ref": "#/$defs/name"},
                "key": {"enum": ["lowercased", "exact"]}
              },
              "allOf": [
                {"if": {"properties": {"rule": {"const": "choice"}}}, "then": {"required": ["choices"]}, "else": {"not": {"required": ["choices"]}}},
                {"if": {"properties": {"rule": {"const": "integer"}}}, "else": {"not": {"anyOf": [{"required": ["min"]}, {"required": ["max"]}]}}},
                {"if": {"properties": {"rule": {"const": "text"}}}, "else": {"not": {"required": ["max_length"]}}}
              ]
            }
          }
        }

        """#
}

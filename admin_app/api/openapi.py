"""The API's contract: its fields, limits and the OpenAPI document served at /api/v1/openapi.json (the tests
validate every response against it)."""
from models.petition import STATUSES

MAX_TICKETS = 500  # tickets in one push
# API field -> HotlineTicket field
API_FIELDS = {
    "number": "number", "called_at": "called_at", "caller": "caller", "phone": "phone", "id_number": "caller_id_number",
    "content": "content", "type": "kind", "area": "area", "handling_unit": "handling_unit", "deadline": "deadline",
    "status": "status", "satisfaction": "satisfaction",
}
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def _nullable(schema):
    return {**schema, "type": [schema["type"], "null"]}


_TEXT = {"type": "string"}
_TIME = {"type": "string", "pattern": TIME_PATTERN, "description": "本地时间（北京时间），如 2023-01-05 09:30:00"}
_ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "信访工作管理系统 12345 热线联动接口",
        "version": "1.0.0",
        "description": "12345 热线平台向信访局推送工单，并查询工单转为信访事项后的办理状态。"
                       "每个请求须在 Authorization 头中携带管理员创建的访问令牌（Bearer）。"
                       "错误响应均为 JSON：error 为错误代码，message 为中文说明。",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "管理员在“接口客户端”中创建的访问令牌"}},
        "schemas": {
            "TicketIn": {
                "type": "object",
                "description": "一张工单。新工单须有 number、called_at、content；已有工单只更新给出的字段。",
                "required": ["number"],
                "properties": {
                    "number": {"type": "string", "maxLength": 40, "description": "工单编号（唯一）"},
                    "called_at": {"type": "string", "description": "来电时间，如 2023-01-05 09:30:00"},
                    "caller": {"type": ["string", "null"], "maxLength": 50, "description": "来电人"},
                    "phone": {"type": ["string", "null"], "maxLength": 30, "description": "联系电话"},
                    "id_number": {"type": ["string", "null"], "maxLength": 18, "description": "来电人身份证号"},
                    "content": {"type": "string", "description": "诉求内容"},
                    "type": {"type": ["string", "null"], "maxLength": 50, "description": "诉求类型"},
                    "area": {"type": ["string", "null"], "maxLength": 100, "description": "所属区域，如 梁庄镇张家村"},
                    "handling_unit": {"type": ["string", "null"], "maxLength": 100, "description": "承办单位"},
                    "deadline": {"type": ["string", "null"], "description": "办理时限，如 2023-01-12 或 2023-01-12 17:00:00"},
                    "status": {"type": ["string", "null"], "maxLength": 30, "description": "工单状态"},
                    "satisfaction": {"type": ["string", "null"], "maxLength": 20, "description": "满意度"},
                },
            },
            "TicketPush": {
                "description": "一张工单，或 {\"tickets\": [...]}（一次至多 %d 张）" % MAX_TICKETS,
                "oneOf": [
                    {"$ref": "#/components/schemas/TicketIn"},
                    {"type": "object", "required": ["tickets"], "properties": {
                        "tickets": {"type": "array", "minItems": 1, "maxItems": MAX_TICKETS,
                                    "items": {"$ref": "#/components/schemas/TicketIn"}}}},
                ],
            },
            "TicketResult": {
                "type": "object",
                "required": ["index", "number", "result"],
                "additionalProperties": False,
                "properties": {
                    "index": {"type": "integer", "minimum": 0, "description": "在请求中的位置（从 0 起）"},
                    "number": {"type": "string"},
                    "result": {"type": "string", "enum": ["added", "updated", "unchanged", "skipped"],
                               "description": "added 新增，updated 更新，unchanged 未变，skipped 跳过"},
                    "reason": {"type": "string", "description": "跳过的原因（中文）"},
                    "changed": {"type": "array", "items": {"type": "string"}, "description": "更新了的字段"},
                    "notes": {"type": "array", "items": {"type": "string"}},
                },
            },
            "PushResult": {
                "type": "object",
                "required": ["results", "summary"],
                "additionalProperties": False,
                "properties": {
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/TicketResult"}},
                    "summary": {
                        "type": "object", "additionalProperties": False,
                        "required": ["added", "updated", "unchanged", "skipped"],
                        "properties": {name: {"type": "integer", "minimum": 0}
                                       for name in ("added", "updated", "unchanged", "skipped")},
                    },
                },
            },
            "Ticket": {
                "type": "object",
                "additionalProperties": False,
                "required": ["number", "called_at", "caller", "phone", "content", "type", "area", "handling_unit",
                             "deadline", "status", "satisfaction", "created_at", "updated_at"],
                "properties": {
                    "number": _TEXT, "called_at": _TIME, "caller": _nullable(_TEXT),
                    "phone": {"type": ["string", "null"], "description": "联系电话（隐去中间四位）"},
                    "content": _TEXT, "type": _nullable(_TEXT), "area": _nullable(_TEXT),
                    "handling_unit": _nullable(_TEXT), "deadline": _nullable(_TIME), "status": _nullable(_TEXT),
                    "satisfaction": _nullable(_TEXT), "created_at": _TIME, "updated_at": _TIME,
                },
            },
            "LinkedPetition": {
                "type": "object",
                "additionalProperties": False,
                "required": ["number", "status", "status_label", "received_at"],
                "properties": {
                    "number": {"type": "string", "description": "信访事项编号，如 XF-2023-000123"},
                    "status": {"type": "string", "enum": [code for code, _ in STATUSES], "description": "状态代码"},
                    "status_label": {"type": "string", "description": "状态（中文）"},
                    "received_at": _TIME,
                    "closed_at": _nullable(_TIME),
                },
            },
            "TicketStatus": {
                "type": "object",
                "additionalProperties": False,
                "required": ["ticket", "petition"],
                "properties": {
                    "ticket": {"$ref": "#/components/schemas/Ticket"},
                    "petition": {"oneOf": [{"$ref": "#/components/schemas/LinkedPetition"}, {"type": "null"}],
                                 "description": "工单转为的信访事项；尚未转为信访事项时为 null"},
                },
            },
            "Error": {
                "type": "object",
                "additionalProperties": False,
                "required": ["error", "message"],
                "properties": {
                    "error": {"type": "string", "enum": ["unauthorized", "forbidden", "bad_request", "not_found",
                                                         "too_large"]},
                    "message": {"type": "string", "description": "中文说明"},
                },
            },
        },
    },
    "security": [{"bearerAuth": []}],
    "paths": {
        "/tickets": {
            "post": {
                "summary": "推送工单（一张或多张），按工单编号新增或更新",
                "description": "与文件导入相同：同一工单再次推送且内容未变时不作任何改动；每张工单单独保存，"
                               "一张有误不影响其他工单。需要 tickets:write 权限。",
                "operationId": "pushTickets",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/TicketPush"}}}},
                "responses": {
                    "200": {"description": "每张工单的处理结果",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushResult"}}}},
                    "400": {"description": "请求体不是有效的 JSON（或嵌套过深）、格式不对，或网址含有空字符（NUL）",
                            **_ERROR_REF},
                    "401": {"description": "缺少访问令牌，或令牌无效、已停用", **_ERROR_REF},
                    "403": {"description": "令牌没有 tickets:write 权限", **_ERROR_REF},
                    "413": {"description": "请求体过大或工单过多", **_ERROR_REF},
                },
            },
        },
        "/tickets/{number}": {
            "get": {
                "summary": "查询工单及其转为的信访事项的状态",
                "description": "需要 tickets:read 权限。",
                "operationId": "getTicket",
                "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
                                "description": "工单编号"}],
                "responses": {
                    "200": {"description": "工单，及其信访事项的编号和状态（代码与中文）",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TicketStatus"}}}},
                    "400": {"description": "工单编号含有空字符（NUL）", **_ERROR_REF},
                    "401": {"description": "缺少访问令牌，或令牌无效、已停用", **_ERROR_REF},
                    "403": {"description": "令牌没有 tickets:read 权限", **_ERROR_REF},
                    "404": {"description": "没有这个工单", **_ERROR_REF},
                },
            },
        },
    },
}

"""Modeler corpus files with compensation, which ciiflow runs as Camunda 7 does.

Written by `python -m tests.modeler.corpus` with the rest of the corpus. Drawn as
Camunda Modeler 5 draws them: a compensation boundary event on the activity to undo,
joined by an association (`associationDirection="One"`) to its handler, an activity
marked *for compensation* (`isForCompensation="true"`, no sequence flow); compensation
thrown from an intermediate throw event (with or without `activityRef`) or an end event.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmn.tools import writer
from tests.modeler.corpus import chain, end, start, user
from tests.modeler.modeler import El, Fl, definitions

_n = {"value": 0}


def _fresh() -> None:
    """Each file numbers its event definitions from 1, whatever was written before."""
    _n["value"] = 0


def _compensate(**attrs: str) -> str:
    _n["value"] += 1
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<bpmn:compensateEventDefinition id="CompensateEventDefinition_{_n["value"]}"{extra} />'


def boundary(event_id: str, activity: str) -> El:
    return El("boundaryEvent", event_id, None, {"attachedToRef": activity}, tail=_compensate())


def service(task_id: str, name: str, topic: str, *, handler: bool = False,
            tail: str = "") -> El:
    attrs = {"isForCompensation": "true"} if handler else {}
    attrs.update({"camunda:type": "external", "camunda:topic": topic})
    return El("serviceTask", task_id, name, attrs, tail=tail)


def throw(event_id: str, name: str, **attrs: str) -> El:
    return El("intermediateThrowEvent", event_id, name, tail=_compensate(**attrs))


def _bounds(text: str, element: str) -> tuple[int, int, int, int]:
    found = re.search(rf'bpmnElement="{element}"[^>]*>\s*<dc:Bounds x="(\d+)" y="(\d+)" '
                      r'width="(\d+)" height="(\d+)"', text)
    assert found, element
    x, y, w, h = (int(v) for v in found.groups())
    return x, y, w, h


def associate(text: str, pairs: list[tuple[str, str]]) -> str:
    """Add one association per (boundary event, handler), with its edge, as the Modeler
    places them: after the sequence flows of the boundary's scope, the edge last."""
    for n, (source, target) in enumerate(pairs, start=1):
        line = (f'<bpmn:association id="Association_{n}" associationDirection="One" '
                f'sourceRef="{source}" targetRef="{target}" />\n')
        scope_end = _scope_end(text, source)
        last = [m for m in re.finditer(r'( *)<bpmn:(?:sequenceFlow|association) [^\n]*/>\n', text)
                if m.end() <= scope_end][-1]
        text = text[:last.end()] + last.group(1) + line + text[last.end():]
        sx, sy, sw, sh = _bounds(text, source)
        tx, ty, tw, th = _bounds(text, target)
        points = [(sx + sw // 2, sy + sh), (sx + sw // 2, ty + th // 2), (tx, ty + th // 2)]
        edge = writer.document(writer.edge(f"Association_{n}", points))
        lines = "".join(f"      {row}\n" for row in edge.splitlines()
                        if not row.startswith("<?xml"))
        text = text.replace("    </bpmndi:BPMNPlane>\n", lines + "    </bpmndi:BPMNPlane>\n", 1)
    return text


def _scope_end(text: str, element: str) -> int:
    """Where the process or subprocess holding `element` closes."""
    at = text.index(f'id="{element}"')
    depth = 0
    for match in re.finditer(r"<(/?)bpmn:(subProcess|process)\b[^>]*?(/?)>", text[at:]):
        if match.group(3):
            continue
        if match.group(1):
            if depth == 0:
                return at + match.start()
            depth -= 1
        else:
            depth += 1
    raise AssertionError(element)


def _booking(pid: str, activity_ref: str | None) -> str:
    """Book a hotel (service), charge the card (user task), undo what was done, notify the
    customer (service, with a handler of its own: not completed when thrown), review."""
    _fresh()
    attrs = {"activityRef": activity_ref} if activity_ref else {}
    nodes = [start(), service("Book_Hotel", "Book hotel", "book-hotel"),
             user("Charge_Card", "Charge card", candidateGroups="oai"),
             throw("Throw_Compensate", "Undo booking", **attrs),
             service("Notify_Customer", "Notify customer", "notify-customer"),
             user("Review", "Review", candidateGroups="sas"), end("Event_Done"),
             boundary("Event_Undo_Hotel", "Book_Hotel"),
             boundary("Event_Undo_Charge", "Charge_Card"),
             boundary("Event_Undo_Notify", "Notify_Customer"),
             service("Cancel_Hotel", "Cancel hotel", "cancel-hotel", handler=True),
             service("Refund_Card", "Refund card", "refund-card", handler=True),
             service("Retract_Notice", "Retract notice", "retract-notice", handler=True)]
    flows = chain("StartEvent_1", "Book_Hotel", "Charge_Card", "Throw_Compensate",
                  "Notify_Customer", "Review", "Event_Done")
    return associate(definitions(pid, nodes, flows), [
        ("Event_Undo_Hotel", "Cancel_Hotel"), ("Event_Undo_Charge", "Refund_Card"),
        ("Event_Undo_Notify", "Retract_Notice")])


def compensation_throw() -> str:
    """An intermediate throw without activityRef: every completed activity is undone."""
    return _booking("compensation_throw", None)


def compensation_ref() -> str:
    """The same process, the throw naming one activity (`activityRef="Book_Hotel"`)."""
    return _booking("compensation_ref", "Book_Hotel")


def compensation_end() -> str:
    """Pay an allowance (service), check it (user task); a compensation end event
    undoes the payment and ends the case; a parallel review keeps the case open."""
    _fresh()
    nodes = [start(), El("parallelGateway", "Gateway_Split"),
             service("Pay_Allowance", "Pay allowance", "pay-allowance"),
             user("Check_Payment", "Check payment", candidateGroups="oai"),
             El("endEvent", "End_Compensate", "Payment undone", tail=_compensate()),
             user("Review_File", "Review file", candidateGroups="sas"), end("Event_Reviewed"),
             boundary("Event_Undo_Pay", "Pay_Allowance"),
             service("Recover_Allowance", "Recover allowance", "recover-allowance",
                     handler=True)]
    flows = [*chain("StartEvent_1", "Gateway_Split"),
             *chain("Gateway_Split", "Pay_Allowance", "Check_Payment", "End_Compensate",
                    prefix="Flow_P"),
             *chain("Gateway_Split", "Review_File", "Event_Reviewed", prefix="Flow_R")]
    return associate(definitions("compensation_end", nodes, flows),
                     [("Event_Undo_Pay", "Recover_Allowance")])


def compensation_loop() -> str:
    """A monthly payment repeated by a gateway (re-entered three times), then a sequential
    multi-instance transfer per institution; one throw undoes every completion."""
    _fresh()
    mi = ('<bpmn:multiInstanceLoopCharacteristics isSequential="true" '
          'camunda:collection="${institutions}" camunda:elementVariable="institution" />')
    nodes = [start(), service("Pay_Month", "Pay month", "pay-month"),
             El("exclusiveGateway", "Gateway_More", "Another month?",
                {"default": "Flow_Paid"}),
             service("Transfer", "Transfer file", "transfer", tail=mi),
             throw("Throw_Undo_All", "Undo all"), end("Event_Done"),
             boundary("Event_Undo_Month", "Pay_Month"),
             boundary("Event_Undo_Transfer", "Transfer"),
             service("Recover_Month", "Recover month", "recover-month", handler=True),
             service("Recall_Transfer", "Recall transfer", "recall-transfer", handler=True)]
    flows = [*chain("StartEvent_1", "Pay_Month", "Gateway_More"),
             Fl("Flow_Again", "Gateway_More", "Pay_Month", "${paid < 3}", "yes"),
             Fl("Flow_Paid", "Gateway_More", "Transfer", name="no"),
             *chain("Transfer", "Throw_Undo_All", "Event_Done", prefix="Flow_T")]
    return associate(definitions("compensation_loop", nodes, flows), [
        ("Event_Undo_Month", "Recover_Month"), ("Event_Undo_Transfer", "Recall_Transfer")])


def compensation_user() -> str:
    """A payment decided by the OAI (user task), undone by the SAS (a user-task handler)."""
    _fresh()
    nodes = [start(), user("Pay_Allowance", "Pay allowance", candidateGroups="oai"),
             throw("Throw_Compensate", "Undo payment"),
             user("Archive", "Archive", candidateGroups="oai"), end("Event_Done"),
             boundary("Event_Refund", "Pay_Allowance"),
             El("userTask", "Refund", "Refund allowance",
                {"isForCompensation": "true", "camunda:candidateGroups": "sas"})]
    flows = chain("StartEvent_1", "Pay_Allowance", "Throw_Compensate", "Archive", "Event_Done")
    return associate(definitions("compensation_user", nodes, flows),
                     [("Event_Refund", "Refund")])


def compensation_subprocess() -> str:
    """Inside a subprocess a throw undoes the subprocess's own booking; later the parent's
    throw undoes the completed subprocess as a whole, by its own handler."""
    _fresh()
    sub = El("subProcess", "Booking", "Booking", children=[
        start("Event_SubStart"), service("Book_Room", "Book room", "book-room"),
        throw("Throw_Inner", "Undo room"), end("Event_SubEnd"),
        boundary("Event_Undo_Room", "Book_Room"),
        service("Cancel_Room", "Cancel room", "cancel-room", handler=True)],
        flows=chain("Event_SubStart", "Book_Room", "Throw_Inner", "Event_SubEnd",
                    prefix="Flow_S"))
    nodes = [start(), service("Open_File", "Open file", "open-file"), sub,
             throw("Throw_Outer", "Undo all"), end("Event_Done"),
             boundary("Event_Undo_Open", "Open_File"), boundary("Event_Undo_Booking", "Booking"),
             service("Close_File", "Close file", "close-file", handler=True),
             service("Cancel_Booking", "Cancel booking", "cancel-booking", handler=True)]
    flows = chain("StartEvent_1", "Open_File", "Booking", "Throw_Outer", "Event_Done")
    return associate(definitions("compensation_subprocess", nodes, flows), [
        ("Event_Undo_Room", "Cancel_Room"), ("Event_Undo_Open", "Close_File"),
        ("Event_Undo_Booking", "Cancel_Booking")])


def compensation_handler_sub() -> str:
    """A payment undone by a subprocess handler: the SAS recovers it (a user task inside)."""
    _fresh()
    undo = El("subProcess", "Undo_Payment", "Undo payment", {"isForCompensation": "true"},
              children=[start("Event_UndoStart"),
                        user("Recover", "Recover payment", candidateGroups="sas"),
                        end("Event_UndoEnd")],
              flows=chain("Event_UndoStart", "Recover", "Event_UndoEnd", prefix="Flow_U"))
    nodes = [start(), service("Pay", "Pay", "pay"), throw("Throw_Compensate", "Undo"),
             user("Archive", "Archive", candidateGroups="oai"), end("Event_Done"),
             boundary("Event_Undo_Pay", "Pay"), undo]
    flows = chain("StartEvent_1", "Pay", "Throw_Compensate", "Archive", "Event_Done")
    return associate(definitions("compensation_handler_sub", nodes, flows),
                     [("Event_Undo_Pay", "Undo_Payment")])


def compensation_twice() -> str:
    """Two throws in a row: the second does not undo again what the first undid."""
    _fresh()
    nodes = [start(), service("Pay", "Pay", "pay"), throw("Throw_First", "Undo payment"),
             service("Book", "Book", "book"), throw("Throw_Second", "Undo all"),
             end("Event_Done"), boundary("Event_Undo_Pay", "Pay"),
             boundary("Event_Undo_Book", "Book"),
             service("Unpay", "Unpay", "unpay", handler=True),
             service("Unbook", "Unbook", "unbook", handler=True)]
    flows = chain("StartEvent_1", "Pay", "Throw_First", "Book", "Throw_Second", "Event_Done")
    return associate(definitions("compensation_twice", nodes, flows),
                     [("Event_Undo_Pay", "Unpay"), ("Event_Undo_Book", "Unbook")])


def compensation_malformed() -> str:
    """What Camunda 7 refuses, or ciiflow does not run, each on its own element."""
    _fresh()
    inner = El("subProcess", "Inner_Booking", "Inner booking", children=[
        start("Event_InnerStart"), service("Book_Inner", "Book inside", "book-inner"),
        end("Event_InnerEnd"), boundary("Event_Undo_Inner", "Book_Inner"),
        service("Unbook_Inner", "Unbook inside", "unbook-inner", handler=True)],
        flows=chain("Event_InnerStart", "Book_Inner", "Event_InnerEnd", prefix="Flow_I"))
    esp = El("subProcess", "Compensation_Sub", "Undo by event subprocess",
             {"triggeredByEvent": "true"}, children=[
                 El("startEvent", "Event_Compensation_Start", None, tail=_compensate()),
                 end("Event_Compensation_End")],
             flows=chain("Event_Compensation_Start", "Event_Compensation_End",
                         prefix="Flow_E"))
    nodes = [start(), service("Pay", "Pay", "pay"), service("Book", "Book", "book"), inner,
             throw("Throw_No_Wait", "Undo, no wait", waitForCompletion="false"),
             throw("Throw_Ref_Nothing", "Undo elsewhere", activityRef="Unknown_Task"),
             user("Check", "Check", candidateGroups="oai"), end("Event_Done"),
             boundary("Event_Undo_Pay", "Pay"), boundary("Event_Undo_Book", "Book"),
             boundary("Event_Onward", "Check"),
             service("Unpay", "Unpay", "unpay", handler=True),
             service("Orphan", "Orphan handler", "orphan", handler=True),
             service("Unbook", "Unbook", "unbook", handler=True),
             user("Follow_Up", "Follow up", candidateGroups="oai")]
    nodes.append(esp)
    flows = [*chain("StartEvent_1", "Pay", "Book", "Inner_Booking", "Throw_No_Wait",
                    "Throw_Ref_Nothing", "Check", "Event_Done"),
             Fl("Flow_Onward", "Event_Onward", "Follow_Up"),
             Fl("Flow_Handler_Out", "Unbook", "Follow_Up")]
    return associate(definitions("compensation_malformed", nodes, flows), [
        ("Event_Undo_Inner", "Unbook_Inner"), ("Event_Undo_Pay", "Unpay"),
        ("Event_Undo_Book", "Unbook"), ("Event_Onward", "Follow_Up")])


def _reach(pid: str, activity_ref: str | None) -> str:
    """Open a file, book a room and a flight inside a subprocess that has no handler of
    its own (its local `room` from an input parameter), charge, then undo: the throw
    reaches into the completed subprocess."""
    _fresh()
    io = ('<camunda:inputOutput>\n'
          '  <camunda:inputParameter name="room">single</camunda:inputParameter>\n'
          '</camunda:inputOutput>')
    sub = El("subProcess", "Booking", "Booking", ext=io, children=[
        start("Event_SubStart"), service("Book_Room", "Book room", "book-room"),
        service("Book_Flight", "Book flight", "book-flight"), end("Event_SubEnd"),
        boundary("Event_Undo_Room", "Book_Room"), boundary("Event_Undo_Flight", "Book_Flight"),
        service("Cancel_Room", "Cancel room", "cancel-room", handler=True),
        service("Cancel_Flight", "Cancel flight", "cancel-flight", handler=True)],
        flows=chain("Event_SubStart", "Book_Room", "Book_Flight", "Event_SubEnd",
                    prefix="Flow_S"))
    attrs = {"activityRef": activity_ref} if activity_ref else {}
    nodes = [start(), service("Open_File", "Open file", "open-file"), sub,
             service("Charge", "Charge", "charge"), throw("Throw_Undo", "Undo all", **attrs),
             user("Review", "Review", candidateGroups="sas"), end("Event_Done"),
             boundary("Event_Undo_Open", "Open_File"), boundary("Event_Undo_Charge", "Charge"),
             service("Close_File", "Close file", "close-file", handler=True),
             service("Refund", "Refund", "refund", handler=True)]
    flows = chain("StartEvent_1", "Open_File", "Booking", "Charge", "Throw_Undo", "Review",
                  "Event_Done")
    return associate(definitions(pid, nodes, flows), [
        ("Event_Undo_Room", "Cancel_Room"), ("Event_Undo_Flight", "Cancel_Flight"),
        ("Event_Undo_Open", "Close_File"), ("Event_Undo_Charge", "Refund")])


def compensation_reach() -> str:
    """A throw without activityRef: the charge, the subprocess's inner bookings, the file."""
    return _reach("compensation_reach", None)


def compensation_reach_ref() -> str:
    """The same process, the throw naming the subprocess (`activityRef="Booking"`)."""
    return _reach("compensation_reach_ref", "Booking")


def compensation_reach_open() -> str:
    """The booking subprocess still waits for its confirmation when the parallel branch
    charges and throws: a subprocess not completed is not entered."""
    _fresh()
    sub = El("subProcess", "Booking", "Booking", children=[
        start("Event_SubStart"), service("Book_Room", "Book room", "book-room"),
        user("Confirm", "Confirm booking", candidateGroups="oai"), end("Event_SubEnd"),
        boundary("Event_Undo_Room", "Book_Room"),
        service("Cancel_Room", "Cancel room", "cancel-room", handler=True)],
        flows=chain("Event_SubStart", "Book_Room", "Confirm", "Event_SubEnd", prefix="Flow_S"))
    nodes = [start(), El("parallelGateway", "Gateway_Split"), sub,
             service("Charge", "Charge", "charge"), throw("Throw_Undo", "Undo all"),
             El("parallelGateway", "Gateway_Join"), end("Event_Done"),
             boundary("Event_Undo_Charge", "Charge"),
             service("Refund", "Refund", "refund", handler=True)]
    flows = [*chain("StartEvent_1", "Gateway_Split"),
             *chain("Gateway_Split", "Booking", "Gateway_Join", prefix="Flow_A"),
             *chain("Gateway_Split", "Charge", "Throw_Undo", "Gateway_Join", prefix="Flow_B"),
             *chain("Gateway_Join", "Event_Done", prefix="Flow_J")]
    return associate(definitions("compensation_reach_open", nodes, flows), [
        ("Event_Undo_Room", "Cancel_Room"), ("Event_Undo_Charge", "Refund")])


def compensation_reach_mi() -> str:
    """A sequential multi-instance subprocess notifies each institution; no handler of its
    own: a throw undoes each instance inside, latest first, each with its own snapshot."""
    _fresh()
    mi = ('<bpmn:multiInstanceLoopCharacteristics isSequential="true" '
          'camunda:collection="${institutions}" camunda:elementVariable="institution" />')
    sub = El("subProcess", "Notify_Each", "Notify each institution", tail=mi, children=[
        start("Event_SubStart"), service("Notify", "Notify institution", "notify"),
        end("Event_SubEnd"), boundary("Event_Undo_Notify", "Notify"),
        service("Retract", "Retract notice", "retract", handler=True)],
        flows=chain("Event_SubStart", "Notify", "Event_SubEnd", prefix="Flow_S"))
    nodes = [start(), sub, throw("Throw_Undo", "Undo notices"), end("Event_Done")]
    flows = chain("StartEvent_1", "Notify_Each", "Throw_Undo", "Event_Done")
    return associate(definitions("compensation_reach_mi", nodes, flows),
                     [("Event_Undo_Notify", "Retract")])


def compensation_esp() -> str:
    """A booking subprocess whose compensation event subprocess undoes it its own way:
    it notifies the agency, then cancels the hotel before the flight (the default would
    undo the flight first), each by a throw naming the activity."""
    _fresh()
    io = ('<camunda:inputOutput>\n'
          '  <camunda:inputParameter name="booking_ref">BK-7</camunda:inputParameter>\n'
          '</camunda:inputOutput>')
    esp = El("subProcess", "Undo_Booking", "Undo booking", {"triggeredByEvent": "true"},
             children=[El("startEvent", "Event_Undo_Start", "Booking to undo",
                          tail=_compensate()),
                       service("Notify_Agency", "Notify agency", "notify-agency"),
                       throw("Throw_Hotel", "Undo hotel", activityRef="Book_Hotel"),
                       throw("Throw_Flight", "Undo flight", activityRef="Book_Flight"),
                       end("Event_Undo_End")],
             flows=chain("Event_Undo_Start", "Notify_Agency", "Throw_Hotel", "Throw_Flight",
                         "Event_Undo_End", prefix="Flow_E"))
    sub = El("subProcess", "Booking", "Booking", ext=io, children=[
        start("Event_SubStart"), service("Book_Hotel", "Book hotel", "book-hotel"),
        service("Book_Flight", "Book flight", "book-flight"), end("Event_SubEnd"),
        boundary("Event_Undo_Hotel", "Book_Hotel"), boundary("Event_Undo_Flight", "Book_Flight"),
        service("Cancel_Hotel", "Cancel hotel", "cancel-hotel", handler=True),
        service("Cancel_Flight", "Cancel flight", "cancel-flight", handler=True), esp],
        flows=chain("Event_SubStart", "Book_Hotel", "Book_Flight", "Event_SubEnd",
                    prefix="Flow_S"))
    nodes = [start(), service("Charge", "Charge", "charge"), sub,
             throw("Throw_Undo", "Undo all"), user("Review", "Review", candidateGroups="sas"),
             end("Event_Done"), boundary("Event_Undo_Charge", "Charge"),
             service("Refund", "Refund", "refund", handler=True)]
    flows = chain("StartEvent_1", "Charge", "Booking", "Throw_Undo", "Review", "Event_Done")
    return associate(definitions("compensation_esp", nodes, flows), [
        ("Event_Undo_Hotel", "Cancel_Hotel"), ("Event_Undo_Flight", "Cancel_Flight"),
        ("Event_Undo_Charge", "Refund")])


CORPUS: dict[str, Callable[[], str]] = {
    "compensation_throw.bpmn": compensation_throw,
    "compensation_ref.bpmn": compensation_ref,
    "compensation_end.bpmn": compensation_end,
    "compensation_loop.bpmn": compensation_loop,
    "compensation_user.bpmn": compensation_user,
    "compensation_subprocess.bpmn": compensation_subprocess,
    "compensation_handler_sub.bpmn": compensation_handler_sub,
    "compensation_twice.bpmn": compensation_twice,
    "compensation_malformed.bpmn": compensation_malformed,
    "compensation_reach.bpmn": compensation_reach,
    "compensation_reach_ref.bpmn": compensation_reach_ref,
    "compensation_reach_open.bpmn": compensation_reach_open,
    "compensation_reach_mi.bpmn": compensation_reach_mi,
    "compensation_esp.bpmn": compensation_esp,
}

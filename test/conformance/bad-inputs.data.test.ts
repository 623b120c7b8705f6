import { checkBadInputs } from "./bad-inputs";

checkBadInputs("streams, events and attachments");

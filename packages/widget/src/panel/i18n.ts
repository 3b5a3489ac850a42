import type { TWidgetLocale } from '@babble-buddy/shared';

/** Every label the panel shows or announces. The loader holds the launcher's own two. */
export interface Labels {
  greeting: string;
  message: string;
  placeholder: string;
  send: string;
  minimize: string;
  newConversation: string;
  messages: string;
  you: string;
  assistant: string;
  agent: string;
  typing: string;
  offline: string;
  reconnecting: string;
  queued: string;
  notSent: string;
  retry: string;
  sources: string;
  page: string;
  hintEnter: string;
  hintModEnter: string;
  errorGeneric: string;
  errorModel: string;
  errorInterrupted: string;
  errorRateLimited: string;
  errorNotAllowed: string;
  errorTooLong: string;
  errorUnreachable: string;
}

export const LABELS: Record<TWidgetLocale, Labels> = {
  en: {
    greeting: 'Hi! How can we help you today?',
    message: 'Message',
    placeholder: 'Write a message…',
    send: 'Send',
    minimize: 'Minimize chat',
    newConversation: 'New conversation',
    messages: 'Conversation',
    you: 'You',
    assistant: 'Assistant',
    agent: 'Agent',
    typing: 'Typing…',
    offline: 'You are offline. Your messages will be sent when the connection is back.',
    reconnecting: 'Reconnecting…',
    queued: 'Waiting to send',
    notSent: 'Not sent.',
    retry: 'Try again',
    sources: 'Sources',
    page: 'page',
    hintEnter: 'Enter to send, Shift+Enter for a new line',
    hintModEnter: 'Ctrl+Enter or Cmd+Enter to send, Enter for a new line',
    errorGeneric: 'Something went wrong.',
    errorModel: 'The assistant cannot answer right now. Your message was saved; please try again in a moment.',
    errorInterrupted: 'The answer was interrupted.',
    errorRateLimited: 'You are sending messages too quickly. Please wait a moment.',
    errorNotAllowed: 'This chat is not available on this website.',
    errorTooLong: 'That message is too long.',
    errorUnreachable: 'The chat service cannot be reached right now.',
  },
  es: {
    greeting: '¡Hola! ¿En qué podemos ayudarte hoy?',
    message: 'Mensaje',
    placeholder: 'Escribe un mensaje…',
    send: 'Enviar',
    minimize: 'Minimizar chat',
    newConversation: 'Nueva conversación',
    messages: 'Conversación',
    you: 'Tú',
    assistant: 'Asistente',
    agent: 'Agente',
    typing: 'Escribiendo…',
    offline: 'Estás sin conexión. Tus mensajes se enviarán cuando vuelva la conexión.',
    reconnecting: 'Reconectando…',
    queued: 'Pendiente de envío',
    notSent: 'No enviado.',
    retry: 'Reintentar',
    sources: 'Fuentes',
    page: 'página',
    hintEnter: 'Intro para enviar, Mayús+Intro para una nueva línea',
    hintModEnter: 'Ctrl+Intro o Cmd+Intro para enviar, Intro para una nueva línea',
    errorGeneric: 'Algo salió mal.',
    errorModel: 'El asistente no puede responder ahora. Tu mensaje se guardó; inténtalo de nuevo en un momento.',
    errorInterrupted: 'La respuesta se interrumpió.',
    errorRateLimited: 'Estás enviando mensajes demasiado rápido. Espera un momento.',
    errorNotAllowed: 'Este chat no está disponible en este sitio web.',
    errorTooLong: 'Ese mensaje es demasiado largo.',
    errorUnreachable: 'No se puede conectar con el servicio de chat en este momento.',
  },
  fr: {
    greeting: 'Bonjour ! Comment pouvons-nous vous aider ?',
    message: 'Message',
    placeholder: 'Écrivez un message…',
    send: 'Envoyer',
    minimize: 'Réduire le chat',
    newConversation: 'Nouvelle conversation',
    messages: 'Conversation',
    you: 'Vous',
    assistant: 'Assistant',
    agent: 'Conseiller',
    typing: 'En train d’écrire…',
    offline: 'Vous êtes hors ligne. Vos messages seront envoyés dès le retour de la connexion.',
    reconnecting: 'Reconnexion…',
    queued: 'En attente d’envoi',
    notSent: 'Non envoyé.',
    retry: 'Réessayer',
    sources: 'Sources',
    page: 'page',
    hintEnter: 'Entrée pour envoyer, Maj+Entrée pour une nouvelle ligne',
    hintModEnter: 'Ctrl+Entrée ou Cmd+Entrée pour envoyer, Entrée pour une nouvelle ligne',
    errorGeneric: 'Une erreur est survenue.',
    errorModel: 'L’assistant ne peut pas répondre pour le moment. Votre message est enregistré ; réessayez dans un instant.',
    errorInterrupted: 'La réponse a été interrompue.',
    errorRateLimited: 'Vous envoyez des messages trop vite. Patientez un instant.',
    errorNotAllowed: 'Ce chat n’est pas disponible sur ce site.',
    errorTooLong: 'Ce message est trop long.',
    errorUnreachable: 'Le service de chat est injoignable pour le moment.',
  },
  de: {
    greeting: 'Hallo! Wie können wir helfen?',
    message: 'Nachricht',
    placeholder: 'Nachricht schreiben…',
    send: 'Senden',
    minimize: 'Chat minimieren',
    newConversation: 'Neue Unterhaltung',
    messages: 'Unterhaltung',
    you: 'Sie',
    assistant: 'Assistent',
    agent: 'Mitarbeiter',
    typing: 'Schreibt…',
    offline: 'Sie sind offline. Ihre Nachrichten werden gesendet, sobald die Verbindung zurück ist.',
    reconnecting: 'Verbindung wird wiederhergestellt…',
    queued: 'Wartet auf Versand',
    notSent: 'Nicht gesendet.',
    retry: 'Erneut versuchen',
    sources: 'Quellen',
    page: 'Seite',
    hintEnter: 'Eingabe zum Senden, Umschalt+Eingabe für eine neue Zeile',
    hintModEnter: 'Strg+Eingabe oder Cmd+Eingabe zum Senden, Eingabe für eine neue Zeile',
    errorGeneric: 'Etwas ist schiefgelaufen.',
    errorModel: 'Der Assistent kann gerade nicht antworten. Ihre Nachricht wurde gespeichert; versuchen Sie es gleich noch einmal.',
    errorInterrupted: 'Die Antwort wurde unterbrochen.',
    errorRateLimited: 'Sie senden zu schnell. Bitte warten Sie einen Moment.',
    errorNotAllowed: 'Dieser Chat ist auf dieser Website nicht verfügbar.',
    errorTooLong: 'Diese Nachricht ist zu lang.',
    errorUnreachable: 'Der Chat-Dienst ist gerade nicht erreichbar.',
  },
  he: {
    greeting: 'שלום! איך אפשר לעזור היום?',
    message: 'הודעה',
    placeholder: 'כתבו הודעה…',
    send: 'שליחה',
    minimize: "מזעור הצ'אט",
    newConversation: 'שיחה חדשה',
    messages: 'שיחה',
    you: 'את/ה',
    assistant: 'עוזר',
    agent: 'נציג',
    typing: 'מקליד…',
    offline: 'אין חיבור לרשת. ההודעות יישלחו כשהחיבור יחזור.',
    reconnecting: 'מתחבר מחדש…',
    queued: 'ממתינה לשליחה',
    notSent: 'לא נשלחה.',
    retry: 'לנסות שוב',
    sources: 'מקורות',
    page: 'עמוד',
    hintEnter: 'Enter לשליחה, Shift+Enter לשורה חדשה',
    hintModEnter: 'Ctrl+Enter או Cmd+Enter לשליחה, Enter לשורה חדשה',
    errorGeneric: 'משהו השתבש.',
    errorModel: 'העוזר לא יכול לענות כרגע. ההודעה נשמרה; נסו שוב בעוד רגע.',
    errorInterrupted: 'התשובה נקטעה.',
    errorRateLimited: 'נשלחות הודעות מהר מדי. נא להמתין רגע.',
    errorNotAllowed: "הצ'אט הזה אינו זמין באתר זה.",
    errorTooLong: 'ההודעה ארוכה מדי.',
    errorUnreachable: "אין כרגע גישה לשירות הצ'אט.",
  },
  ar: {
    greeting: 'مرحبًا! كيف يمكننا مساعدتك اليوم؟',
    message: 'الرسالة',
    placeholder: 'اكتب رسالة…',
    send: 'إرسال',
    minimize: 'تصغير الدردشة',
    newConversation: 'محادثة جديدة',
    messages: 'المحادثة',
    you: 'أنت',
    assistant: 'المساعد',
    agent: 'موظف الدعم',
    typing: 'يكتب…',
    offline: 'أنت غير متصل. سيتم إرسال رسائلك عند عودة الاتصال.',
    reconnecting: 'جارٍ إعادة الاتصال…',
    queued: 'بانتظار الإرسال',
    notSent: 'لم تُرسل.',
    retry: 'إعادة المحاولة',
    sources: 'المصادر',
    page: 'صفحة',
    hintEnter: 'Enter للإرسال، Shift+Enter لسطر جديد',
    hintModEnter: 'Ctrl+Enter أو Cmd+Enter للإرسال، Enter لسطر جديد',
    errorGeneric: 'حدث خطأ ما.',
    errorModel: 'لا يستطيع المساعد الرد الآن. تم حفظ رسالتك؛ حاول مرة أخرى بعد قليل.',
    errorInterrupted: 'انقطعت الإجابة.',
    errorRateLimited: 'أنت ترسل الرسائل بسرعة كبيرة. يرجى الانتظار قليلًا.',
    errorNotAllowed: 'هذه الدردشة غير متاحة على هذا الموقع.',
    errorTooLong: 'هذه الرسالة طويلة جدًا.',
    errorUnreachable: 'تعذر الوصول إلى خدمة الدردشة حاليًا.',
  },
};
